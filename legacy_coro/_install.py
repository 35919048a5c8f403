"""install(), uninstall(), installed(): the public switch of the compat layer.

Kept apart from the patches (:mod:`legacy_coro._compat`), which import
asyncio: importing legacy_coro changes nothing and imports no asyncio.
"""

import threading
from typing import Any, Callable, FrozenSet, Iterable, List, Optional, Set

__all__ = ["install", "installed", "installed_patches", "uninstall"]

_lock = threading.Lock()
_saved: List[Any] = []
_active: FrozenSet[str] = frozenset()


def _opt_in_keys(restore: Iterable[str]) -> FrozenSet[str]:
    from legacy_coro._versions import OPT_IN

    keys = frozenset(restore)
    if "all" in keys:
        keys = (keys - {"all"}) | frozenset(OPT_IN)
    unknown = sorted(keys - frozenset(OPT_IN))
    if unknown:
        raise ValueError(
            f"legacy_coro.install(restore=...): {', '.join(map(repr, unknown))} is not a "
            f"behaviour change it can restore; choose from {', '.join(OPT_IN)} (or 'all')")
    return keys


def install(record: Optional[Callable[[str, str], None]] = None, *,
            restore: Iterable[str] = ()) -> FrozenSet[str]:
    """Restore each legacy asyncio behaviour that the running interpreter lacks.

    Only what this interpreter removed is touched (on 3.9, ``loop=`` still
    exists and is left alone).  Idempotent: a second call changes nothing.
    Thread-safe.  Undo with :func:`uninstall`.

    Args:
        record: for the porting report -- called as ``record(api, key)`` each
            time old code uses a restored behaviour.  Without it the restored
            functions contain no recording code at all.
        restore: behaviour changes (not removals) to restore as well, where
            this interpreter has them: ``"CancelledError-base"``,
            ``"wait_for-inline"``, ``"wait_closed-connections"``, or ``"all"``.
            They are opt-in because code written for the newer Python may rely
            on them.

    Returns:
        The keys (rows of the README's version table, ``legacy_coro._versions``)
        of the restored behaviours.

    Raises:
        ValueError: *restore* names something that is not an opt-in change.
        RuntimeError: the layer is installed already, without a change
            *restore* asks for (uninstall() first).
    """
    global _active
    keys = _opt_in_keys(restore)
    with _lock:
        if not _active and not _saved:
            from legacy_coro import _compat

            applied, saved = _compat.apply(record, keys)
            _saved.extend(saved)
            _active = frozenset(applied)
            _requested.clear()
            _requested.update(keys)
        elif keys - _requested:
            raise RuntimeError(
                "legacy_coro.install(): the layer is installed already, without "
                f"{', '.join(sorted(keys - _requested))}; call uninstall() first, or pass "
                "every restore= key to the first install() (legacy-coro run --restore KEY)")
        return _active


#: the opt-in keys the active install() was asked for (active or not on this Python)
_requested: Set[str] = set()


def uninstall() -> None:
    """Put back everything :func:`install` changed; a no-op when nothing is installed."""
    global _active
    with _lock:
        if _saved:
            from legacy_coro import _ledger

            _ledger.restore(_saved)
            del _saved[:]
        _active = frozenset()
        _requested.clear()


def installed() -> FrozenSet[str]:
    """Return the keys of the restored behaviours now active (empty when none)."""
    return _active


class installed_patches:  # noqa: N801 - reads as a function: `with installed_patches():`
    """Context manager: :func:`install` on entry, :func:`uninstall` on exit.

    ``__enter__`` returns the active keys.  If the layer was already installed
    on entry, it is left installed on exit.

    Args:
        restore: as for :func:`install`.
    """

    def __init__(self, *, restore: Iterable[str] = ()) -> None:
        self._owner = False
        self._restore = tuple(restore)

    def __enter__(self) -> FrozenSet[str]:
        with _lock:
            self._owner = not _active and not _saved
        return install(restore=self._restore)

    def __exit__(self, *exc_info: Any) -> None:
        if self._owner:
            uninstall()
