"""``legacy-coro port`` as a LibCST codemod command, for LibCST's own runner.

    python -m libcst.tool codemod -x legacy_coro.codemod.PortToAsync PATH...

Imports LibCST, so ``import legacy_coro`` never imports this module.  It does
the same rewrite as ``legacy-coro port`` on one module at a time and reports
the sites it leaves as codemod warnings.  Differences from ``legacy-coro
port``: LibCST's runner parses before the codemod runs, so a file using
``asyncio.async`` (a SyntaxError since 3.7) fails there, and a ``yield from``
in an undecorated generator is always reported as LC003 (telling LC004 apart
needs the whole run).
"""

from typing import Set

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.metadata import MetadataWrapper, PositionProvider

from legacy_coro._port_reasons import REASONS
from legacy_coro._port_transform import PortTransformer, inspected_names

__all__ = ["PortToAsync"]


class PortToAsync(VisitorBasedCodemodCommand):
    """Rewrite generator coroutines (@coroutine + yield from) into async def / await."""

    DESCRIPTION: str = (
        "Rewrite generator-based asyncio coroutines into async def / await "
        "(legacy-coro port); sites whose meaning could change are left and warned about."
    )

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Port one module; report what was left alone through ``self.warn``."""
        inspected: Set[str] = inspected_names(tree) if "iscoroutinefunction" in tree.code else set()
        transformer = PortTransformer(inspected)
        new_tree = tree.visit(transformer)
        if transformer.reports or transformer.generator_calls:
            positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
            found = [(positions[node].start.line, code, detail)
                     for node, code, detail in transformer.reports]
            found += [(positions[node].start.line, "LC003", callee)
                      for node, callee in transformer.generator_calls]
            for line, code, detail in sorted(set(found)):
                suffix = f" [{detail}]" if detail else ""
                self.warn(f"line {line}: {code} {REASONS[code]}{suffix}")
        return new_tree
