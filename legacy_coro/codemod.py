"""``legacy-coro port`` as a LibCST codemod command, for LibCST's own runner.

    python -m libcst.tool codemod -x legacy_coro.codemod.PortToAsync PATH...

Imports LibCST, so ``import legacy_coro`` never imports this module.  It does
the same rewrite as ``legacy-coro port`` on one module at a time and reports
the sites it leaves as codemod warnings.  Differences from ``legacy-coro
port``: LibCST's runner parses before the codemod runs, so a file using
``asyncio.async`` (a SyntaxError since 3.7) fails there; and each module is
ported on its own, so a ``yield from`` of a function in another module is
taken to be awaitable, an undecorated generator there is not converted with
its callers, and LC004 is found only within the module.
"""

from typing import List, Tuple

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.metadata import MetadataWrapper, PositionProvider

from legacy_coro._port_names import Facts, Run
from legacy_coro._port_plan import analyse
from legacy_coro._port_reasons import REASONS
from legacy_coro._port_transform import PortTransformer

__all__ = ["PortToAsync"]


class PortToAsync(VisitorBasedCodemodCommand):
    """Rewrite generator coroutines (@coroutine + yield from) into async def / await."""

    DESCRIPTION: str = (
        "Rewrite generator-based asyncio coroutines into async def / await "
        "(legacy-coro port); sites whose meaning could change are left and warned about."
    )

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Port one module; report what was left alone through ``self.warn``."""
        analysis = analyse(tree.code, ident="<module>")
        if analysis is None:  # the running Python cannot read it: leave it as it is
            return tree
        refused: List[Tuple[str, Tuple[str, ...]]] = []
        while True:
            run = Run({"<module>": analysis.info}, refused)
            facts = run.facts("<module>") if analysis.info else Facts()
            transformer = PortTransformer(set(analysis.scopes.inspected), None,
                                          analysis.scopes, facts)
            new_tree = tree.visit(transformer)
            if not transformer.refused_helpers:
                break
            refused += [("<module>", path) for path in transformer.refused_helpers]
        found = list(facts.reports)
        if transformer.reports:
            positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
            found += [(positions[node].start.line, code, detail)
                      for node, code, detail in transformer.reports]
        for line, code, detail in sorted(set(found)):
            suffix = f" [{detail}]" if detail else ""
            self.warn(f"line {line}: {code} {REASONS[code]}{suffix}")
        return new_tree
