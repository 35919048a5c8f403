"""LibCST's side of one file: parse, check the round trip, note lines, render, check the result."""

import contextlib
import sys
import warnings
from typing import Any, Dict, Iterator, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

try:  # LibCST's code generator state (what its PositionProvider subclasses too)
    from libcst._nodes.internal import CodegenState
except ImportError:  # pragma: no cover - a LibCST that moved it: positions the slow way
    CodegenState = object  # type: ignore[misc,assignment]

from legacy_coro.port._fold import Reduced

__all__ = ["Lines", "PortError", "check_output", "not_reproduced", "render"]


class PortError(Exception):
    """A file that cannot be ported; ``kind`` is "parse" or "internal"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


#: the node types a site can be reported at (and a plan can name by line)
SITE_NODES = frozenset({cst.Call, cst.FunctionDef, cst.Decorator, cst.Yield, cst.With,
                        cst.If, cst.Return, cst.ExceptHandler})


class _LineState(CodegenState):  # type: ignore[misc]
    """LibCST's code generation, noting the line where each node that can be a site starts.

    The port renders the module it parsed anyway (to check that LibCST gives
    back the text it was given); noting lines on the way costs next to nothing,
    where LibCST's PositionProvider renders the module once more, slowly.  The
    line is where PositionProvider's syntactic position starts (``def``, not
    the decorator above it).
    """

    __slots__ = ("marks",)

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent, default_newline)
        self.marks: List[Tuple[int, int]] = []  #: (tokens before it, id(node)), in order

    @contextlib.contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *,
                                  start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        if type(node) in SITE_NODES:
            self.marks.append((len(self.tokens), id(node)))
        yield

    def lines(self) -> Dict[int, int]:
        """id(node) -> the line it starts on, counting the newlines of the tokens before it."""
        lines: Dict[int, int] = {}
        line, done = 1, 0
        for index, node in self.marks:
            chunk = "".join(self.tokens[done:index])
            line += chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
            done = index
            lines[node] = line
        return lines


class Lines:
    """The line of the original file where a node of *module* starts.

    From the rendering the port does anyway (:class:`_LineState`); for a node it
    did not note, from LibCST's PositionProvider (which renders the module again).
    """

    def __init__(self, module: cst.Module, lines: Optional[Dict[int, int]],
                 reduced: Optional[Reduced]) -> None:
        self.module = module
        self.lines = lines or {}
        self.reduced = reduced
        self.positions: Optional[Any] = None

    def __call__(self, node: cst.CSTNode) -> Optional[int]:
        number = self.lines.get(id(node))
        if number is None:
            if self.positions is None:
                self.positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(
                    PositionProvider)
            position = self.positions.get(node)
            if position is None:
                return None
            number = int(position.start.line)
        return self.reduced.original_line(number) if self.reduced else number


def render(module: cst.Module) -> Tuple[str, Optional[Dict[int, int]]]:
    """Return the module's code and the first line of each node a site can be at."""
    try:
        state = _LineState(module.default_indent, module.default_newline)
        module._codegen(state)
    except (AttributeError, TypeError):  # a LibCST whose code generation works otherwise
        return module.code, None
    return "".join(state.tokens), state.lines()


def not_reproduced(text: str, code: str) -> str:
    """Say where LibCST's round trip of *text* differs, and what to do about it."""
    old, new = text.splitlines(), code.splitlines()
    line = next((n for n, (a, b) in enumerate(zip(old, new), 1) if a != b),
                min(len(old), len(new)) + 1)
    was = old[line - 1].strip() if line <= len(old) else ""
    becomes = new[line - 1].strip() if line <= len(new) else ""
    return (f"LibCST does not reproduce line {line} exactly ({was!r} would become "
            f"{becomes!r}), so the file is left as it is; reformat that line (for example "
            "`except X :` as `except X:`, LibCST issue 1457) and run again")


def _compiles(text: str, path: str) -> Optional[str]:
    """Return None when *text* compiles on the running Python, else the error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_output(original: str, new: str, path: str) -> None:
    """Raise PortError unless *new* compiles on this Python.

    compile() is the running interpreter's own parser and compiler, so it
    catches what a parse alone would not (``await`` outside ``async def``).
    LibCST is not asked to parse the result again: it read the input, and the
    port only adds ``async``/``await``, which its grammar reads on every
    version; the tests port every output a second time to hold that.
    """
    problem = _compiles(new, path)
    if problem is None:
        return
    before = _compiles(original, path)
    if before is not None:
        version = "{}.{}".format(*sys.version_info[:2])
        raise PortError("parse", f"does not compile on Python {version}: {before}")
    raise PortError("internal", f"internal error: the ported code does not compile: {problem}")
