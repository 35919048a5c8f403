"""install(), uninstall(), installed(): the public switch of the compat layer.

Kept apart from the patches (:mod:`legacy_coro._compat`), which import
asyncio: importing legacy_coro changes nothing and imports no asyncio.
"""

import threading
from typing import Any, Callable, FrozenSet, List, Optional

__all__ = ["install", "installed", "installed_patches", "uninstall"]

_lock = threading.Lock()
_saved: List[Any] = []
_active: FrozenSet[str] = frozenset()


def install(record: Optional[Callable[[str, str], None]] = None) -> FrozenSet[str]:
    """Restore each legacy asyncio behaviour that the running interpreter lacks.

    Only what this interpreter removed is touched (on 3.9, ``loop=`` still
    exists and is left alone).  Idempotent: a second call changes nothing.
    Thread-safe.  Undo with :func:`uninstall`.

    Args:
        record: for the porting report -- called as ``record(api, key)`` each
            time old code uses a restored behaviour.  Without it the restored
            functions contain no recording code at all.

    Returns:
        The keys (rows of the README's version table, ``legacy_coro._versions``)
        of the restored behaviours.
    """
    global _active
    with _lock:
        if not _active and not _saved:
            from legacy_coro import _compat

            keys, saved = _compat.apply(record)
            _saved.extend(saved)
            _active = frozenset(keys)
        return _active


def uninstall() -> None:
    """Put back everything :func:`install` changed; a no-op when nothing is installed."""
    global _active
    with _lock:
        if _saved:
            from legacy_coro import _compat

            _compat.restore(_saved)
            del _saved[:]
        _active = frozenset()


def installed() -> FrozenSet[str]:
    """Return the keys of the restored behaviours now active (empty when none)."""
    return _active


class installed_patches:  # noqa: N801 - reads as a function: `with installed_patches():`
    """Context manager: :func:`install` on entry, :func:`uninstall` on exit.

    ``__enter__`` returns the active keys.  If the layer was already installed
    on entry, it is left installed on exit.
    """

    def __init__(self) -> None:
        self._owner = False

    def __enter__(self) -> FrozenSet[str]:
        with _lock:
            self._owner = not _active and not _saved
        return install()

    def __exit__(self, *exc_info: Any) -> None:
        if self._owner:
            uninstall()
