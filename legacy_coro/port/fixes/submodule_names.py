"""Names gone from their asyncio submodule (``asyncio.futures.CancelledError``) -> ``asyncio.X``.

Old code reached some of asyncio's names through the submodule that defined
them (``except asyncio.futures.CancelledError:``, ``from asyncio.streams
import IncompleteReadError``).  3.8 moved the exceptions to
``asyncio.exceptions``: those spellings raise AttributeError (ImportError)
there, while ``asyncio.X`` works on every version.  Which names, and what they
are now, is the "submodule-names" row of :mod:`legacy_coro._versions`.
"""

from typing import TYPE_CHECKING, Any, List, Optional

import libcst as cst

from legacy_coro._versions import REMOVED_SUBMODULE_NAMES
from legacy_coro.port._cst import dotted
from legacy_coro.port._names import absolute_module
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

#: the names themselves (CancelledError...): a line naming none has nothing for this fix
_LEAVES = frozenset(name.rsplit(".", 1)[1] for name in REMOVED_SUBMODULE_NAMES)
_MODULES = frozenset(name.rsplit(".", 1)[0] for name in REMOVED_SUBMODULE_NAMES)

FIX = Fix("submodule_names", keywords=_LEAVES)


def _raw(t: "Transformer", node: cst.BaseExpression) -> Optional[str]:
    """The dotted name *node* is, through the module's imports, not read as asyncio's."""
    parts = dotted(node)
    if not parts or t.frames and any(
            parts[0] in t.ctx.scopes.names.get(f.path, {}) for f in t.frames):
        return None  # a local name: what it is, the port does not know here
    bound = t.imports.binding(parts[0])
    return ".".join([bound] + parts[1:]) if bound else None


@FIX.leave(cst.Attribute)
def _attribute(t: "Transformer", original: cst.Attribute, updated: cst.Attribute) -> Any:
    if original.attr.value not in _LEAVES:
        return updated
    name = _raw(t, original)
    if name not in REMOVED_SUBMODULE_NAMES:
        return updated
    t.took_out(original)
    t.edited()
    now = REMOVED_SUBMODULE_NAMES[name].split(".", 1)[1]
    return t.imports.asyncio(now).with_changes(lpar=updated.lpar, rpar=updated.rpar)


@FIX.leave(cst.ImportFrom)
def _import(t: "Transformer", original: cst.ImportFrom, updated: cst.ImportFrom) -> Any:
    """``from asyncio.futures import CancelledError`` -> ``from asyncio import CancelledError``.

    Every public name of asyncio's submodules is also ``asyncio.NAME``
    (legacy_coro._versions.ASYNCIO_SUBMODULES), so the whole statement moves
    when it imports public names only.
    """
    if original.module is None or isinstance(original.names, cst.ImportStar):
        return updated
    module = ".".join(dotted(original.module) or [])
    if original.relative:
        scopes = t.ctx.scopes
        module = absolute_module(scopes.module, scopes.package, module, len(original.relative))
    if module not in _MODULES:
        return updated
    names: List[str] = [alias.name.value for alias in original.names
                        if isinstance(alias.name, cst.Name)]
    if not any(f"{module}.{name}" in REMOVED_SUBMODULE_NAMES for name in names) or any(
            name.startswith("_") for name in names):
        return updated
    t.edited()
    return updated.with_changes(module=cst.Name("asyncio"), relative=[])
