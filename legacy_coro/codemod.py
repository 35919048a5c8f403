"""``legacy-coro port`` as a LibCST codemod command, for LibCST's own runner.

    python -m libcst.tool codemod -x legacy_coro.codemod.PortToAsync PATH...

Imports LibCST, so ``import legacy_coro`` never imports this module.  It ports
each module through the same pipeline as ``legacy-coro port``
(:func:`legacy_coro.port.port_source`) and reports the sites it leaves as
codemod warnings.  Differences from ``legacy-coro port``: LibCST's runner
parses before the codemod runs, so a file using ``asyncio.async`` (a
SyntaxError since 3.7) fails there; and each module is ported on its own, so
a ``yield from`` of a function in another module is taken to be awaitable, an
undecorated generator there is not converted with its callers, and LC004 is
found only within the module.
"""

import libcst as cst
from libcst.codemod import SkipFile, VisitorBasedCodemodCommand

from legacy_coro.port._pipeline import port_source
from legacy_coro.port._reasons import REASONS
from legacy_coro.port._render import PortError

__all__ = ["PortToAsync"]


class PortToAsync(VisitorBasedCodemodCommand):
    """Rewrite generator coroutines (@coroutine + yield from) into async def / await."""

    DESCRIPTION: str = (
        "Rewrite generator-based asyncio coroutines into async def / await "
        "(legacy-coro port); sites whose meaning could change are left and warned about."
    )

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Port one module; report what was left alone through ``self.warn``."""
        code = tree.code
        try:
            ported = port_source(code.encode(tree.encoding), "<module>")
        except PortError as exc:
            raise SkipFile(str(exc)) from None
        for site in ported.sites:
            suffix = f" [{site.detail}]" if site.detail else ""
            self.warn(f"line {site.line}: {site.code} {REASONS[site.code]}{suffix}")
        if not ported.changed:
            return tree
        return cst.parse_module(ported.source.decode(tree.encoding))
