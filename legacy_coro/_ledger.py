"""The ledger of the compat layer's patches: what was set, and how to put it back.

Every change :func:`legacy_coro.install` makes goes through here, whoever
builds it (the asyncio patches of :mod:`legacy_coro._compat`, the import hook,
the pytest glue): a :class:`Setting` names an owner, an attribute and the new
value; :func:`apply` saves what was there and sets the new value, and
:func:`restore` puts every saved value back, last change first (deleting what
did not exist before).  So the interpreter's own objects, behaviour and error
messages come back unchanged after ``uninstall()``.

Three kinds of owner are not plain objects:

- :class:`MetaPath`: a slot at the front of ``sys.meta_path`` (the import
  hook's finder);
- :data:`FILTERS`: a ``warnings`` filter that ignores one DeprecationWarning
  (where the interpreter still has a behaviour and only deprecates it);
- :data:`MEMBER`: an item added to a set (the Setting's value is ``(set,
  item)``), discarded at restore unless it was there before;
- :data:`CLEANUP`: a function called once at restore (for state that is not
  an attribute, such as an entry a C module cached meanwhile).

Imports nothing of legacy_coro, and no asyncio.
"""

import ctypes
import gc
import sys
import types
import warnings
from typing import Any, Callable, List, NamedTuple

__all__ = ["CLEANUP", "FILTERS", "MEMBER", "MISSING", "MetaPath", "Saved", "Setting", "apply",
           "apply_late", "ignore_warning", "restore", "silenced"]

#: The value of an attribute that was not in its owner's own ``__dict__``.
MISSING = object()


class Setting(NamedTuple):
    """One attribute to set: ``owner.name = value`` (value MISSING: delete it)."""

    owner: Any  # a module, a class, a function (for __code__), or a marker below
    name: str
    value: Any


class Saved(NamedTuple):
    """What :func:`restore` puts back: ``owner.name = old``."""

    owner: Any
    name: str
    old: Any  # MISSING when the attribute was not in owner's own __dict__


class MetaPath:
    """Stands for sys.meta_path's first slot in the ledger."""


#: Stands for the ``warnings`` filters in the ledger.
FILTERS = object()
#: Stands for a function to call at restore; a Setting's value is the function.
CLEANUP = object()
#: Stands for a set's membership; a Setting's value is ``(the set, the item)``.
MEMBER = object()


def own(owner: Any, name: str) -> Any:
    """Return *owner*'s own attribute *name* (not an inherited one), or MISSING."""
    if isinstance(owner, types.FunctionType) or name == "__bases__":
        return getattr(owner, name)
    return vars(owner).get(name, MISSING)


def set_attribute(owner: Any, name: str, value: Any) -> None:
    """Set or (value MISSING) delete an attribute, also on immutable C types.

    ``asyncio.Task`` is ``_asyncio.Task``, a C type whose attributes cannot be
    assigned; its ``Task.all_tasks`` is put back by writing to the type's dict
    and telling CPython the type changed (``PyType_Modified`` drops the
    method cache), the only way to give a C type an attribute from Python.
    """
    if owner is MetaPath:
        if value is MISSING:
            finder = vars(MetaPath).get(name)
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
            delattr(MetaPath, name)
        else:
            setattr(MetaPath, name, value)
            sys.meta_path.insert(0, value)
        return
    try:
        if value is MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, value)
        return
    except TypeError:
        if not isinstance(owner, type):
            raise
    namespace = gc.get_referents(owner.__dict__)[0]
    if value is MISSING:
        namespace.pop(name, None)
    else:
        namespace[name] = value
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(owner))


#: The messages of the filters now in place (what :func:`silenced` tells pytest).
_silencing: List[str] = []


def silenced() -> List[str]:
    """Return the DeprecationWarning messages (regular expressions) install() silences."""
    return list(_silencing)


def ignore_warning(message: str) -> Saved:
    """Ignore the DeprecationWarning matching *message*; return its ledger entry."""
    warnings.filterwarnings("ignore", message, DeprecationWarning)
    _silencing.append(message)
    return Saved(FILTERS, message, warnings.filters[0])


def _remove_filter(entry: Any) -> None:
    try:
        warnings.filters.remove(entry)  # type: ignore[attr-defined]  # a list at run time
    except ValueError:  # already gone (a test's catch_warnings() restored the list)
        return
    mutated = getattr(warnings, "_filters_mutated", None)  # clears the filter cache
    if mutated is not None:
        mutated()


def _apply_one(setting: Setting, saved: List[Saved]) -> None:
    if setting.owner is CLEANUP:
        saved.append(Saved(CLEANUP, setting.name, setting.value))
        return
    if setting.owner is MEMBER:
        container, item = setting.value
        if item not in container:
            container.add(item)
            saved.append(Saved(MEMBER, setting.name, setting.value))
        return
    saved.append(Saved(setting.owner, setting.name, own(setting.owner, setting.name)))
    set_attribute(setting.owner, setting.name, setting.value)


def apply(settings: List[Setting], saved: List[Saved]) -> None:
    """Apply *settings* in order, appending to *saved* what restores them.

    On an error, what was applied (all of *saved*) is restored before the
    error goes on.
    """
    try:
        for setting in settings:
            _apply_one(setting, saved)
    except BaseException:
        restore(saved)
        raise


#: What was applied after install() returned (a module imported later, such
#: as pytest's assertion rewriter): undone first.
_late_saved: List[Saved] = []


def apply_late(settings: List[Setting]) -> None:
    """Apply *settings* while installed; :func:`restore` undoes them first."""
    for setting in settings:
        _apply_one(setting, _late_saved)


def restore(saved: List[Saved]) -> None:
    """Undo :func:`apply` (and :func:`apply_late`), last change first."""
    saved = saved + _late_saved
    del _late_saved[:]
    del _silencing[:]
    for item in reversed(saved):
        if item.owner is FILTERS:
            _remove_filter(item.old)
        elif item.owner is CLEANUP:
            cleanup: Callable[[], None] = item.old
            cleanup()
        elif item.owner is MEMBER:
            container, member = item.old
            container.discard(member)
        else:
            set_attribute(item.owner, item.name, item.old)
