"""The lines the port changed, laid out in the file's own style.

The port lengthens lines (``def`` -> ``async def``, ``asyncio.async`` ->
``asyncio.ensure_future``, a bare ``yield`` -> ``await asyncio.sleep(0)``,
``asyncio.wait(fs)`` given its tasks) and moves brackets (``yield from f(a,``
-> ``await f(a,``) that continuation lines were aligned with.  This stage,
run on the port's output of a file with the original beside it, does what a
careful person would do next, and only to the statements the port changed:

* a continuation line that was aligned with a bracket (or with the first
  thing inside it) moves with it;
* a line now longer than the file's limit breaks inside its brackets, as the
  file's own multi-line brackets do: aligned with the opening bracket, or a
  hanging indent of the file's width (:func:`file_style`).

It never re-wraps a line that was too long before the port, nor a file that
indents with tabs, and it changes nothing but the whitespace between tokens
inside brackets (checked token by token).  The statements are found with
:mod:`ast` and re-laid with LibCST (:mod:`._layout`); a file whose changed
lines all fit and open no bracket costs one pass over its lines.
"""

import ast
import difflib
import re
import tokenize
import warnings
from collections import Counter
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from legacy_coro.port._layout import Stand, Style, rebreak

__all__ = ["LIMITS", "file_style", "line_limit", "wrap"]

#: the line lengths projects choose (pycodestyle 79, black 88, pycodestyle's
#: "up to 99" and pylint's 100, Django's 119, PyCharm's 120)
LIMITS = (79, 88, 99, 100, 119, 120)
#: a line its author let run long: pycodestyle and ruff skip these (a noqa
#: comment, a URL alone in a comment); their length says nothing of the file's limit
_NOQA = re.compile(r"#.*\bnoqa\b", re.IGNORECASE)
_TABS = re.compile(r"^[ \f]*\t", re.MULTILINE)
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_HEADERS = re.compile(r"(?:async\s+)?(?:def|class|if|elif|while|for|with)\b")
_ANCHOR_REACH = 60  #: how far above a statement a line that places it may be
_SLACK = 4  #: how many lines the port may have added or taken out in between


def exempt(line: str) -> bool:
    """Whether *line* is one its author let run long (``# noqa``, a lone URL or word)."""
    if _NOQA.search(line):
        return True
    chunks = line.split()
    # pycodestyle's own exception: one long chunk (in a comment or a string)
    # that starts before the limit could be broken
    return len(chunks) == 1 or (len(chunks) == 2 and chunks[0] == "#")


def line_limit(lines: Sequence[str]) -> Optional[int]:
    """The file's line length: the smallest of :data:`LIMITS` that no line of it exceeds.

    A file keeps to the limit it was written for, so its longest line says
    which: the smallest common limit no line exceeds (lines the author let run
    long, see :func:`exempt`, aside).  None when a line exceeds them all: the
    file keeps to no limit, and its lines are not wrapped.
    """
    if max(map(len, lines), default=0) <= LIMITS[0]:
        return LIMITS[0]
    longest = max((len(line.rstrip()) for line in lines
                   if len(line) > LIMITS[0] and not exempt(line)), default=0)
    return next((limit for limit in LIMITS if longest <= limit), None)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _open_bracket(line: str) -> int:
    """The column of the last bracket *line* leaves open, or -1 (strings: roughly)."""
    quote = ""
    opened: List[int] = []
    for col, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            break
        elif char in "([{":
            opened.append(col)
        elif char in ")]}" and opened:
            opened.pop()
    return opened[-1] if opened else -1


def file_style(lines: Sequence[str], limit: int) -> Style:
    """How the file continues a bracket on the next line: aligned, or a hanging indent of N.

    Each line that leaves a bracket open votes: text after the bracket and
    the next line aligned one column right of it is the aligned style; the
    bracket last on its line is a hanging indent of the next line's extra
    indentation (counted apart in ``def``/``if``/``with``... headers, where
    PEP 8 asks for more).  The majority wins; aligned when nothing votes.
    """
    aligned = 0
    hangs: Counter[int] = Counter()
    headers: Counter[int] = Counter()
    units: Counter[int] = Counter()
    indents = [len(line) - len(line.lstrip(" ")) for line in lines]
    for number in range(len(lines) - 1):
        line = lines[number]
        following = lines[number + 1]
        extra = indents[number + 1] - indents[number]
        if extra > 0 and line.endswith(":"):  # the block indentation, for a hanging indent
            units[extra] += 1
        if not ("(" in line or "[" in line or "{" in line) or not following.strip() or not _opens(
                line):
            continue
        col = _open_bracket(line)
        if col < 0:
            continue
        if line[col + 1:].split("#", 1)[0].strip():
            aligned += indents[number + 1] == col + 1
        elif extra > 0:
            (headers if _HEADERS.match(line, indents[number]) else hangs)[extra] += 1
    unit = units.most_common(1)[0][0] if units else 4
    indent = hangs.most_common(1)[0][0] if hangs else unit
    header = headers.most_common(1)[0][0] if headers else 2 * unit
    return Style(limit, sum(hangs.values()) + sum(headers.values()) > aligned, indent, header)


def _split(text: str) -> List[str]:
    """The lines of *text* with their ends, split as Python splits source lines."""
    if "\r" not in text:
        lines = text.split("\n")
        last = lines.pop()
        return [line + "\n" for line in lines] + ([last] if last else [])
    return _LINES.findall(text)


def _bare(lines: Sequence[str]) -> List[str]:
    return [line.rstrip("\r\n") for line in lines]


def _opens(line: str) -> bool:
    return line.count("(") + line.count("[") + line.count("{") > (
        line.count(")") + line.count("]") + line.count("}"))


def wrap(original: str, new: str) -> str:
    """Lay out the statements the port changed in *new* as the file (*original*) would."""
    old_bare = original.split("\n") if "\r" not in original else _bare(_split(original))
    new_bare = new.split("\n") if "\r" not in new else _bare(_split(new))
    limit = line_limit(old_bare)
    seen = set(old_bare)
    longest = 10 ** 6 if limit is None else limit
    todo = [number for number, line in enumerate(new_bare) if line not in seen
            and (len(line) > longest or _opens(line))]
    if not todo or _TABS.search(original):
        return new
    style = file_style(old_bare, longest)
    lines = _split(new)
    statements = _statements(new, set(todo))
    if not statements:
        return new
    origin = _Origin(old_bare, new_bare, seen)
    for first, last, header in reversed(statements):
        follows = origin.follows(first, lines[first:last + 1])
        if all(len(line) <= longest or exempt(line) for line in new_bare[first:last + 1]):
            shape = _shape(new_bare, first)  # as each line stands now: LibCST only if one moves
            if shape is not None and all(shape[1].get(n) == stand
                                         for n, stand in follows.items()):
                continue
        laid = _lay_out(lines[first:last + 1], header, style, follows)
        if laid is not None:
            lines[first:last + 1] = laid
    return "".join(lines)


def _statements(text: str, todo: "set[int]") -> List[Tuple[int, int, bool]]:
    """The statements (first line, last line, whether a header) holding lines of *todo*.

    Lines count from 0.  A header (``def``, ``if``, ``with``... whose body is
    on the lines below) ends at its colon; ``elif``, ``else``, ``except`` and
    decorators are not statements of their own here and are left.
    """
    try:
        with warnings.catch_warnings():  # the port's check compiles it, and says
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    lines = _bare(_split(text))
    found: List[Tuple[int, int, bool]] = []

    def visit(body: Sequence[ast.stmt]) -> None:
        for stmt in body:
            first, last = stmt.lineno - 1, (getattr(stmt, "end_lineno", None) or 0) - 1
            if last < first or not any(first <= line <= last for line in todo):
                continue
            inner = [getattr(stmt, name) for name in ("body", "orelse", "finalbody")
                     if isinstance(getattr(stmt, name, None), list)]
            handlers = getattr(stmt, "handlers", None) or []
            cases = getattr(stmt, "cases", None) or []
            if not inner:
                found.append((first, last, False))
                continue
            opening: ast.stmt = stmt.body[0]  # type: ignore[attr-defined]
            start = min([opening.lineno] + [
                d.lineno for d in getattr(opening, "decorator_list", ())]) - 1
            if start == first:  # `if x: y`: one line, one statement
                found.append((first, last, False))
                continue
            end = start - 1
            while end > first and (not lines[end].strip() or lines[end].lstrip().startswith("#")):
                end -= 1
            if any(first <= line <= end for line in todo) and _HEADERS.match(
                    lines[first].lstrip()):
                found.append((first, end, True))
            for block in inner:
                visit(block)
            for handler in handlers:
                visit(handler.body)
            for case in cases:
                visit(case.body)

    visit(tree.body)
    return sorted(set(found))


class _Origin:
    """Where a changed statement was in the original, and how its lines stood there."""

    def __init__(self, old: List[str], new: List[str], seen: "set[str]") -> None:
        self.old = old
        self.new = new
        self.seen = seen
        counts = Counter(old)
        self.where = {line: number for number, line in enumerate(old) if counts[line] == 1}

    def _first(self, first: int) -> Optional[int]:
        """The original line the new statement starting on line *first* started on.

        The nearest line above that the original holds once places it, give or
        take the lines the port added or took out in between (imports,
        decorators): of the original lines around, the one with the same
        indentation most like the new line (the port changes a part of it).
        """
        new, old, where = self.new, self.old, self.where
        estimate = first
        for anchor in range(first, max(first - _ANCHOR_REACH, -1), -1):
            found = where.get(new[anchor])
            if found is not None:
                estimate = found + first - anchor
                break
        line = new[first]
        indent = _indent(line)
        if 0 <= estimate < len(old) and _indent(old[estimate]) == indent and (
                _alike(old[estimate], line) >= .5):
            return estimate  # where the lines above say, and alike: no need to look around
        best, score = None, 0.5
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(line)
        for number in range(max(estimate - _SLACK, 0), min(estimate + _SLACK + 1, len(old))):
            was = old[number]
            if was == line:
                return number
            if _indent(was) != indent:
                continue
            matcher.set_seq1(was)
            if matcher.real_quick_ratio() < score or matcher.quick_ratio() < score:
                continue
            ratio = matcher.ratio()
            if ratio > score or (ratio == score and best is not None
                                 and abs(number - estimate) < abs(best - estimate)):
                best, score = number, ratio
        return best

    def follows(self, first: int, lines: List[str]) -> Dict[int, Stand]:
        """Line of the new statement -> how its original stood to its bracket (:func:`_shape`)."""
        start = self._first(first)
        shape = None if start is None else _shape(self.old, start)
        if shape is None:
            return {}
        old_texts, stands = shape
        new_texts = [line.strip() for line in lines]
        pairs: List[Tuple[int, int]] = []
        if len(old_texts) == len(new_texts):
            pairs = [(n, n) for n in range(1, len(new_texts))]
        else:  # lines the port joined (an argument taken out): pair what is alike
            matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
            for what, old_from, old_to, new_from, new_to in matcher.get_opcodes():
                for k in range(min(old_to - old_from, new_to - new_from)):
                    if what == "equal" or difflib.SequenceMatcher(
                            None, old_texts[old_from + k], new_texts[new_from + k]).ratio() >= .5:
                        pairs.append((old_from + k, new_from + k))
        return {new_at: stands[old_at] for old_at, new_at in pairs
                if new_at > 0 and old_at in stands}


def _alike(one: str, two: str) -> float:
    """How much of two lines is the same text at their starts and ends (the port
    changes a part in between: ``yield from`` -> ``await``, a bracket's content)."""
    head = _common(one, two)
    tail = _common(one[head:][::-1], two[head:][::-1])
    return 2 * (head + tail) / (len(one) + len(two))


def _common(one: str, two: str) -> int:
    """The length of the start two strings share (os.path.commonprefix: deprecated in 3.15)."""
    size = min(len(one), len(two))
    low, high = 0, size
    while low < high:  # the longest shared start, halving
        middle = (low + high + 1) // 2
        if one[:middle] == two[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _tokens(lines: Sequence[str]) -> Iterator[tokenize.TokenInfo]:
    feed = iter(lines)
    return tokenize.generate_tokens(lambda: next(feed, ""))


def _shape(old: List[str], start: int) -> Optional[Tuple[List[str], Dict[int, Stand]]]:
    """The original statement from line *start*: its lines stripped, and how each stood.

    A continuation line stands at ("content", 0) when it starts where the
    first thing inside its innermost open bracket starts (on the bracket's
    line, or the line below it), at ("col", 0) at the bracket's own column (a
    closing bracket under its opening one), at ("prev", 0) where the
    continuation line above it starts (``.expand(...)`` under the arguments
    of the call before it), else at ("hang", N): N columns right of the start
    of the line the bracket opens on.  Lines count from the statement's first
    (0).
    """
    opened: List[List[int]] = []  # [line, col, col of its first content or -1]
    stands: Dict[int, Stand] = {}
    starts: Dict[int, int] = {}  # line -> the column of its first token
    ended = -1  # the line the last token ended on
    try:
        for token in _tokens([line + "\n" for line in old[start:start + 200]]):
            kind, text, (line, col) = token.type, token.string, token.start
            if kind in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            if kind == tokenize.NEWLINE or kind == tokenize.ENDMARKER:
                return [old[start + n].strip() for n in range(line)], stands
            line -= 1
            if opened and opened[-1][2] < 0 and text not in ")]}":
                opened[-1][2] = col  # the first thing inside the innermost bracket
            if line > ended:  # the first token of its line
                starts[line] = col
                if opened and line > 0 and opened[-1][0] in starts:
                    at_line, at_col, content = opened[-1]
                    stands[line] = (("content", 0) if col == content else ("col", 0)
                                    if col == at_col else ("prev", 0)
                                    if col == starts.get(line - 1) and line > 1
                                    else ("hang", col - starts[at_line]))
            ended = token.end[0] - 1
            if kind == tokenize.OP and text in "([{":
                opened.append([line, col, -1])
            elif kind == tokenize.OP and text in ")]}" and opened:
                opened.pop()
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


def _same_tokens(before: str, after: str) -> bool:
    """Whether two texts are the same tokens, whitespace and line breaks aside."""
    skip = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    try:
        one = [(t.type, t.string) for t in _tokens(_split(before)) if t.type not in skip]
        two = [(t.type, t.string) for t in _tokens(_split(after)) if t.type not in skip]
    except (tokenize.TokenError, SyntaxError):
        return False
    return one == two


def _lay_out(lines: List[str], header: bool, style: Style,
             follows: Dict[int, Stand]) -> Optional[List[str]]:
    """The statement of *lines* laid out again, or None to leave it as it is."""
    indent = lines[0][:_indent(lines[0])]
    newline = lines[-1][len(lines[-1].rstrip("\r\n")):] or "\n"
    text = "".join(lines)[len(indent):]
    if header:
        if not text.endswith(("\n", "\r")):
            text += newline
        text += "    pass" + newline
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    if module.code != text:
        return None
    try:
        laid = rebreak(module, indent, style, follows, header, exempt)
    except cst.CSTValidationError:  # pragma: no cover - LibCST refused a line break there
        return None
    if laid is None or not _same_tokens(text, laid):
        return None
    result = _split(indent + laid)
    return result[:-1] if header else result
