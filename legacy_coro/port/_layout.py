"""Where one statement's lines break and its brackets stand, and new breaks in a file's style.

:mod:`._wrap` hands over one statement the port changed, parsed on its own by
LibCST; :func:`rebreak` moves its continuation lines after the brackets they
were aligned with, then breaks each line still longer than the file's limit,
as the file itself breaks lines (see :class:`Style`).  It changes nothing but
the whitespace LibCST puts between tokens inside brackets, where Python
ignores line breaks and indentation.
"""

import contextlib
import re
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

try:  # LibCST's code generator state (_render subclasses it too)
    from libcst._nodes.internal import CodegenState
    _TRACKED = True
except ImportError:  # pragma: no cover - a LibCST that moved it: nothing laid out again
    CodegenState = object  # type: ignore[misc,assignment]
    _TRACKED = False

__all__ = ["Stand", "Style", "rebreak"]

_NEWLINES = re.compile(r"\r\n|\r|\n")  #: (str.splitlines() splits at form feeds too)
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
#: nodes whose tokens are layout, not code: no bracket, no content, no slot inside
_QUIET = (cst.TrailingWhitespace, cst.EmptyLine, cst.Newline, cst.Comment)
_SPACE = (cst.SimpleWhitespace, cst.ParenthesizedWhitespace)
#: the least a hanging indent carries to its line (less stays on the long line)
_SHORTEST = 12
#: f-strings (and 3.14's t-strings): a break inside their braces needs 3.12
_STRINGS = tuple(getattr(cst, name) for name in ("FormattedString", "TemplatedString")
                 if hasattr(cst, name))


class Style(NamedTuple):
    """How a file breaks long lines (inferred by :mod:`._wrap` from the file)."""

    limit: int  #: the longest line the file allows itself
    hanging: bool  #: breaks after an opening bracket first (else aligns with the bracket)
    indent: int  #: a hanging indent's width
    header_indent: int  #: ... in the header of a ``def``, ``if``, ``with`` (PEP 8: more)


class _Bracket:
    __slots__ = ("line", "col", "depth", "content_line", "content_col", "close_line",
                 "close_col")

    def __init__(self, line: int, col: int, depth: int) -> None:
        self.line = line
        self.col = col
        self.depth = depth
        self.content_line = -1  #: where the first token inside it is (-1: none yet)
        self.content_col = -1
        self.close_line = -1  #: where its closing bracket is
        self.close_col = -1


class _Slot:
    """The whitespace between two tokens: where a line may break."""

    __slots__ = ("node", "kind", "line", "col", "end_col", "bracket", "depth", "usable", "next")

    def __init__(self, node: cst.CSTNode, kind: Optional[str], line: int, col: int,
                 bracket: Optional[int], depth: int, usable: bool) -> None:
        self.node = node
        #: "comma" (after a comma), "open" (after an opening bracket), "comp" (before
        #: a comprehension's ``for``/``if``), None (anywhere else: never broken)
        self.kind = kind
        self.line = line
        self.col = col  #: where it starts
        self.end_col = col  #: where the token after it starts (on its last line)
        self.bracket = bracket  #: the innermost bracket around it (an index of brackets)
        self.depth = depth
        self.usable = usable  #: not inside an f-string's braces
        self.next = ""  #: the token after it


class _Layout(CodegenState):  # type: ignore[misc,valid-type]
    """LibCST's code generation, noting each bracket and each whitespace where it lands."""

    __slots__ = ("line", "col", "brackets", "stack", "slots", "kinds", "quiet", "strings",
                 "waiting", "ended")

    def __init__(self, newline: str, col: int) -> None:
        super().__init__("    ", newline)
        self.line, self.col = 0, col
        self.brackets: List[_Bracket] = []
        self.stack: List[int] = []
        self.slots: List[_Slot] = []
        self.kinds: Dict[int, str] = {}  #: id(whitespace) -> its kind of break
        self.quiet = 0  #: inside whitespace
        self.strings = 0  #: inside an f-string
        self.waiting: List[_Bracket] = []  #: brackets whose first content is still to come
        self.ended: List[_Slot] = []  #: slots whose next token is still to come

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if not self.quiet and value.strip():
            self._code(value)
        cut = max(value.rfind("\n"), value.rfind("\r"))
        if cut < 0:
            self.col += len(value)
        else:
            self.line += value.count("\n") + value.count("\r") - value.count("\r\n")
            self.col = len(value) - cut - 1

    def _code(self, value: str) -> None:
        for slot in self.ended:
            slot.next = value
        self.ended.clear()
        if self.strings or value not in _CLOSE:
            for bracket in self.waiting:
                bracket.content_line, bracket.content_col = self.line, self.col
            self.waiting.clear()
        if self.strings:
            return
        if value in _OPEN:
            bracket = _Bracket(self.line, self.col, len(self.stack) + 1)
            self.stack.append(len(self.brackets))
            self.brackets.append(bracket)
            self.waiting.append(bracket)
        elif value in _CLOSE and self.stack:
            self.waiting.clear()
            bracket = self.brackets[self.stack.pop()]
            bracket.close_line, bracket.close_col = self.line, self.col

    def before_codegen(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind in _SPACE:
            if not self.quiet:
                self.slots.append(_Slot(node, self.kinds.get(id(node)), self.line, self.col,
                                        self.stack[-1] if self.stack else None,
                                        len(self.stack), not self.strings))
            self.quiet += 1
        elif kind in _QUIET:
            self.quiet += 1
        elif kind is cst.Comma:
            self.kinds[id(node.whitespace_after)] = "comma"  # type: ignore[attr-defined]
        elif kind is cst.Call:
            self.kinds[id(node.whitespace_before_args)] = "open"  # type: ignore[attr-defined]
        elif kind in (cst.LeftParen, cst.LeftSquareBracket, cst.LeftCurlyBrace):
            self.kinds[id(node.whitespace_after)] = "open"  # type: ignore[attr-defined]
        elif kind is cst.FunctionDef:
            self.kinds[id(node.whitespace_before_params)] = "open"  # type: ignore[attr-defined]
        elif kind in (cst.CompFor, cst.CompIf):
            self.kinds[id(node.whitespace_before)] = "comp"  # type: ignore[attr-defined]
        elif isinstance(node, _STRINGS):
            self.strings += 1

    def after_codegen(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind in _SPACE:
            self.quiet -= 1
            if not self.quiet:
                slot = self.slots[-1]
                slot.end_col = self.col
                self.ended.append(slot)
        elif kind in _QUIET:
            self.quiet -= 1
        elif isinstance(node, _STRINGS):
            self.strings -= 1

    @contextlib.contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *,
                                  start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        yield


class _Laid(NamedTuple):
    """One rendering of the statement: its lines (the first one indented) and what is where."""

    text: str
    lines: List[str]
    brackets: List[_Bracket]
    slots: List[_Slot]
    starts: Dict[int, int]  #: line -> the slot (index) whose line break starts it

    def indent_of(self, line: int) -> int:
        text = self.lines[line]
        return len(text) - len(text.lstrip(" "))


def _lay(module: cst.Module, indent: str) -> _Laid:
    state = _Layout(module.default_newline, len(indent))
    module._codegen(state)
    text = "".join(state.tokens)
    lines = _NEWLINES.split(indent + text)
    starts: Dict[int, int] = {}
    for index, slot in enumerate(state.slots):
        node = slot.node
        if isinstance(node, cst.ParenthesizedWhitespace):  # its last line starts a line
            starts[slot.line + 1 + len(node.empty_lines)] = index
    return _Laid(text, lines, state.brackets, state.slots, starts)


class _Replace(cst.CSTTransformer):
    """Put new whitespace in place of old, by identity."""

    def __init__(self, edits: Dict[int, cst.CSTNode]) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        return self.edits.get(id(original_node), updated_node)


def _newline_at(col: int, old: Optional[cst.CSTNode] = None) -> cst.ParenthesizedWhitespace:
    """A line break, the next line starting at column *col*."""
    if isinstance(old, cst.ParenthesizedWhitespace):
        return old.with_changes(indent=False, last_line=cst.SimpleWhitespace(" " * col))
    return cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), empty_lines=[],
                                       indent=False, last_line=cst.SimpleWhitespace(" " * col))


#: where a continuation line stands to its innermost bracket: ("content", 0) - where
#: the bracket's first content starts; ("col", 0) - at the bracket's own column;
#: ("prev", 0) - where the line above it starts; ("hang", n) - n columns right of
#: the indentation of the bracket's line
Stand = Tuple[str, int]
#: a continuation line's rule: (what, bracket, n), a Stand towards one bracket
Rule = Tuple[str, int, int]


def _wanted(laid: _Laid, rule: Rule, slot: _Slot) -> int:
    what, index, n = rule
    bracket = laid.brackets[index]
    if what == "content":
        return bracket.content_col
    if what == "col":
        return bracket.col
    if what == "prev":  # the line the slot ends
        return laid.indent_of(slot.line)
    return laid.indent_of(bracket.line) + n


def _realign(laid: _Laid, rules: Dict[int, Rule]) -> Dict[int, cst.CSTNode]:
    """The edits that put each ruled line where its rule says (only lines not there yet)."""
    edits: Dict[int, cst.CSTNode] = {}
    for index, rule in rules.items():
        slot = laid.slots[index]
        want = _wanted(laid, rule, slot)
        if want >= 0 and slot.end_col != want:
            edits[id(slot.node)] = _newline_at(want, slot.node)
    return edits


def _choose(laid: _Laid, line: int, style: Style, header: bool) -> Optional[Tuple[int, Rule]]:
    """The break that shortens *line* the way the file would: (slot, rule of the new line)."""
    width = len(laid.lines[line])
    indent = laid.indent_of(line)
    best: Optional[Tuple[Tuple[int, ...], int, Rule]] = None
    for index, slot in enumerate(laid.slots):
        if (slot.line != line or slot.kind is None or not slot.usable or slot.bracket is None
                or isinstance(slot.node, cst.ParenthesizedWhitespace)
                or not slot.next or slot.next in _CLOSE or slot.next.startswith("#")):
            continue
        bracket = laid.brackets[slot.bracket]
        if slot.kind == "open":
            if bracket.col <= indent:
                continue  # nothing stands before the bracket: hanging it gains nothing
            if bracket.close_line == line and bracket.close_col - slot.end_col < _SHORTEST:
                continue  # `sleep(` over `0)`: a longer line reads better
            n = style.header_indent if header and line == 0 else style.indent
            rule: Rule = ("hang", slot.bracket, n)
            want = indent + n
            kind = 0
        else:
            rule = ("content", slot.bracket, 0)
            want = bracket.content_col
            kind = 0 if bracket.content_line != bracket.line else 1
        if want < 0 or want >= slot.col:
            continue  # the new line would start where this one stands, or further right
        fits = slot.col <= style.limit
        rest = want + width - slot.end_col <= style.limit
        if style.hanging:
            key: Tuple[int, ...] = (not fits, slot.depth, kind, not rest)
        else:
            key = (not fits, slot.kind == "open", slot.depth, not rest)
        key += (-slot.col if fits else slot.col,)
        if best is None or key < best[0]:
            best = (key, index, rule)
    return None if best is None else (best[1], best[2])


def rebreak(module: cst.Module, indent: str, style: Style, follows: Dict[int, Stand],
            header: bool, exempt: Callable[[str], bool]) -> Optional[str]:
    """Lay out a statement the port changed; return its new text (None: nothing to change).

    *module* holds the statement alone, its first line without its *indent*.
    *follows* maps a continuation line (0: the first line) to how it stood in
    the original to its innermost bracket (:data:`Stand`): it stands so again,
    moving with its bracket.  Then each line longer than the limit (but an
    *exempt* one) breaks.  A *header* (``def``, ``if``...) comes with a body
    of one line that is not the caller's: that last line is left.
    """
    if not _TRACKED:  # pragma: no cover
        return None
    laid = _lay(module, indent)
    rules: Dict[int, Rule] = {}
    for line, (what, n) in follows.items():
        index = laid.starts.get(line)
        bracket = None if index is None else laid.slots[index].bracket
        if index is not None and bracket is not None and laid.slots[index].usable:
            rules[index] = (what, bracket, n)
    stuck: Set[int] = set()
    changed = False
    for _ in range(200):
        edits = _realign(laid, rules)
        if not edits:
            last = len(laid.lines) - (1 if header else 0)
            long = next((n for n in range(last) if n not in stuck
                         and len(laid.lines[n]) > style.limit
                         and not exempt(laid.lines[n])), None)
            if long is None:
                break
            chosen = _choose(laid, long, style, header)
            if chosen is None:
                stuck.add(long)
                continue
            index, rule = chosen
            rules[index] = rule
            if rule[0] == "hang":  # the bracket's other lines now line up with what it holds
                for other in laid.starts.values():
                    if other > index and laid.slots[other].bracket == rule[1]:
                        rules[other] = ("content", rule[1], 0)
            slot = laid.slots[index]
            edits = {id(slot.node): _newline_at(max(_wanted(laid, rule, slot), 0))}
        module = module.visit(_Replace(edits))
        laid = _lay(module, indent)
        changed = True
    return laid.text if changed else None
