"""``async`` and ``await`` used as names (legal before 3.7): renamed across the run (LC019).

Before 3.7 both were names outside ``async def`` (``self.async``,
``dict(async=True)``, ``def f(self, async=False)``, ``from asyncio import
async``, a module ``pkg/async.py``); since 3.7 each such use is a
SyntaxError, so no parser of today reads the file.  This pass runs on the
text, before anything parses it, on the tokens 3.6 read as names
(:mod:`legacy_coro._oldnames`: strings, comments and real coroutines are
never touched):

* ``asyncio.async(x)`` (and ``ALIAS.async`` for ``import asyncio as ALIAS``)
  becomes ``asyncio.ensure_future(x)``; ``from asyncio import async as X``
  imports ``ensure_future as X`` (``ensure_future`` alone when X is that),
  ``from asyncio import async`` imports ``ensure_future as async_``;
* every other such name becomes the run's new name (:class:`Renames`:
  ``async_`` / ``await_`` unless a file of the run uses that already), the
  same in every file, so a keyword given in one file still matches the
  parameter of another; ``'async'`` listed in ``__all__`` follows.

Modules and packages named ``async`` are renamed by the run
(:mod:`legacy_coro.port._pipeline`).  The analysis walk then reports each
renamed name that code outside the run can see (a public function, method or
keyword parameter, an attribute, a keyword argument, a module-level or class
attribute, an import): LC019, callers outside the run must follow.
"""

import ast
import doctest
import io
import re
import token
import tokenize
from typing import TYPE_CHECKING, List, Optional, Sequence, Set, Tuple, Union

from legacy_coro._oldnames import old_names
from legacy_coro.port._model import DEFAULT_RENAMES, Facts, Renames
from legacy_coro.port._registry import Fix, Site

if TYPE_CHECKING:
    from legacy_coro.port._analyse import Walk
    from legacy_coro.port._names import Scope

__all__ = ["FIX", "follow_moved_modules", "rename_names"]

_ASYNCIO_MODULES = ("asyncio", "asyncio.tasks")
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})
_STATEMENT_START = frozenset({token.NEWLINE, token.INDENT, token.DEDENT})
Edit = Tuple[int, int, int, str]  #: (row, first column, column past the end, new text)
#: a doctest line that may hold an old name
_DOCTEST = re.compile(r"(?:>>>|\.\.\.) .*\b(?:async|await)\b")
#: a string naming asyncio.async through a module (``mock.patch('pkg.asyncio.async')``)
_ASYNCIO_ASYNC = re.compile(r"(?:[A-Za-z_]\w*\.)*asyncio\.async")


def rename_names(text: str, renames: Renames = DEFAULT_RENAMES) -> str:
    """Rename in *text* each ``async``/``await`` that 3.6 read as a name (see the module)."""
    found = old_names(text)
    if not found and not _in_strings_maybe(text):
        return text
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type not in _SKIPPED]
    except (tokenize.TokenError, SyntaxError):
        return text  # the parser reports it
    at = {t.start: i for i, t in enumerate(tokens) if t.type == token.NAME}
    aliases = _module_aliases(tokens)
    edits: List[Edit] = []
    for name in found:
        index = at.get((name.row, name.col))
        new = renames.of(name.word)
        if index is not None and name.word == "async":
            edit = _asyncio_edit(tokens, index, aliases, new)
            if edit is not None:
                edits.append(edit)
                continue
        edits.append((name.row, name.col, name.col + len(name.word), new))
    edits += _dunder_all(tokens, renames)
    edits += _in_strings(tokens, renames)
    return _apply(text, edits)


def _in_strings_maybe(text: str) -> bool:
    """Whether a string of *text* may hold code to rename (see _in_strings), cheaply."""
    return ("asyncio.async'" in text or 'asyncio.async"' in text) or (
        ">>>" in text and _DOCTEST.search(text) is not None)


def _in_strings(tokens: Sequence[tokenize.TokenInfo], renames: Renames) -> List[Edit]:
    """The strings that hold code: doctest examples, and ``'x.asyncio.async'`` (mock.patch)."""
    edits: List[Edit] = []
    for tok in tokens:
        if tok.type != token.STRING:
            continue
        prefix = len(tok.string) - len(tok.string.lstrip("rRuU"))
        quote = 3 if tok.string[prefix:prefix + 3] in ('"""', "'''") else 1
        if tok.string[:prefix].lower() not in ("", "r", "u") or (
                "\\" in tok.string and "r" not in tok.string[:prefix].lower()):
            continue  # bytes, f-strings; escapes (what runs is not what is written)
        body = tok.string[prefix + quote:-quote]
        start = prefix + quote
        if _ASYNCIO_ASYNC.fullmatch(body):
            row, col = tok.start
            edits.append((row, col + start + len(body) - 5, col + start + len(body),
                          "ensure_future"))
        elif ">>>" in body:
            edits += _in_doctests(tok, body, start, renames)
    return edits


def _in_doctests(tok: tokenize.TokenInfo, body: str, start: int, renames: Renames
                 ) -> List[Edit]:
    """The names in the doctest examples of a docstring (``>>> f(async=True)``)."""
    try:
        examples = doctest.DocTestParser().get_examples(body)
    except ValueError:  # not doctest's idea of examples
        return []
    lines = tok.string.split("\n")
    edits: List[Edit] = []
    for example in examples:
        for name in old_names(example.source):
            line = example.lineno + name.row - 1  # of the body, and of the token
            col = example.indent + 4 + name.col  # after ">>> " or "... "
            if line == 0:  # the line of the opening quotes
                col += start
            if lines[line][col:col + len(name.word)] != name.word:
                continue  # pragma: no cover - doctest's lines are the docstring's
            if line == 0:
                col += tok.start[1]
            edits.append((tok.start[0] + line, col, col + len(name.word), renames.of(name.word)))
    return edits


def _module_aliases(tokens: Sequence[tokenize.TokenInfo]) -> Set[str]:
    """Return the names bound to the asyncio module by ``import asyncio [as X]``."""
    names = {"asyncio"}
    for i in range(len(tokens) - 3):
        if (tokens[i].string == "import" and tokens[i + 1].string == "asyncio"
                and tokens[i + 2].string == "as" and tokens[i + 3].type == token.NAME):
            names.add(tokens[i + 3].string)
    return names


def _asyncio_edit(tokens: Sequence[tokenize.TokenInfo], index: int, aliases: Set[str],
                  new: str) -> Optional[Edit]:
    """The edit of an ``async`` that is asyncio's function (``asyncio.async``, its import)."""
    tok = tokens[index]
    row, col = tok.start
    if index >= 2 and tokens[index - 1].string == "." and (
            tokens[index - 2].type == token.NAME and tokens[index - 2].string in aliases):
        return row, col, col + 5, "ensure_future"
    start = index
    while start > 0 and tokens[start - 1].type not in _STATEMENT_START and (
            tokens[start - 1].string != ";"):
        start -= 1
    if tokens[start].string != "from" or tokens[index - 1].string not in ("import", ",", "("):
        return None
    words = [t.string for t in tokens[start + 1:index]]
    if "import" not in words or "".join(words[:words.index("import")]) not in _ASYNCIO_MODULES:
        return None
    following = tokens[index + 1:index + 3]
    if len(following) == 2 and following[0].string == "as":
        alias = following[1]
        if alias.string == "ensure_future" and alias.start[0] == row:
            return row, col, alias.end[1], "ensure_future"
        return row, col, col + 5, "ensure_future"
    return row, col, col + 5, f"ensure_future as {new}"


def _dunder_all(tokens: Sequence[tokenize.TokenInfo], renames: Renames) -> List[Edit]:
    """``'async'`` listed in ``__all__`` (``=``, ``+=``, ``.append``, ``.extend``) follows."""
    edits: List[Edit] = []
    inside = False
    for index, tok in enumerate(tokens):
        if tok.type in _STATEMENT_START or tok.string == ";":
            inside = False
        elif tok.type == token.NAME and tok.string == "__all__" and (
                index == 0 or tokens[index - 1].type in _STATEMENT_START):
            inside = True
        elif inside and tok.type == token.STRING:
            body = tok.string.lstrip("rRuU")
            if body[1:-1] in ("async", "await") and body[0] == body[-1] and body[0] in "'\"":
                row, col = tok.start
                start = col + len(tok.string) - len(body) + 1
                edits.append((row, start, start + 5, renames.of(body[1:-1])))
    return edits


def _apply(text: str, edits: List[Edit]) -> str:
    lines = text.splitlines(keepends=True)
    done: List[Edit] = []
    for edit in sorted(edits):
        if done and done[-1][0] == edit[0] and edit[1] < done[-1][2]:
            continue  # inside the edit before (``async as ensure_future``)
        done.append(edit)
    for row, start, end, new in reversed(done):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "".join(lines)


def follow_moved_modules(text: str, facts: Facts) -> Tuple[str, List[Site]]:
    """Rename the modules the run renamed in the strings that name them (LC019).

    A string whose whole value is such a module's dotted name, or that name
    followed by ``.`` or ``:`` and more (``'pkg.async.Class'``,
    ``'pkg.async:main'``): what plugin lists, entry points and ``mock.patch``
    hold.  Strings with escapes, bytes and f-strings are left.
    """
    moved = sorted(facts.moved_modules, key=lambda pair: -len(pair[0]))
    if not moved or not any(old in text for old, _ in moved):
        return text, []
    edits: List[Edit] = []
    sites: List[Site] = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type != token.STRING or not any(old in tok.string for old, _ in moved):
            continue
        prefix = len(tok.string) - len(tok.string.lstrip("rRuU"))
        quote = tok.string[prefix]
        if tok.string[prefix:prefix + 3] == quote * 3 or not tok.string.endswith(quote) or (
                tok.string[:prefix].lower() not in ("", "r", "u")):
            continue
        value = tok.string[prefix + 1:-1]
        if "\\" in value:
            continue
        for old, new in moved:
            if value == old or value.startswith((old + ".", old + ":")):
                row, col = tok.start
                start = col + prefix + 1
                edits.append((row, start, start + len(old), new))
                sites.append((row, "LC019", f"the string '{value}' names module `{old}`: "
                                            f"now '{new}{value[len(old):]}'"))
                break
    return _apply(text, edits), sites


FIX = Fix("async_names", prepare=rename_names, complete=follow_moved_modules)


# ---------------------------------------------------------------------------
# The analysis walk: each renamed name code outside the run can see (LC019)


def _report(walk: "Walk", line: int, what: str, old: str, new: str, of: str = "") -> None:
    of = f" of `{of}`" if of else ""  # "keyword parameter `async` of `f`", "name ... of `pkg`"
    walk.reports.append((line, "LC019", f"{what} `{old}`{of} is now `{new}`"))


def _visible(walk: "Walk") -> bool:
    """Whether what the walk's scope binds can be seen from outside the module."""
    scope: Optional[Scope] = walk.scope
    while scope is not None:
        if scope.kind not in ("module", "class"):
            return False
        if any(part.startswith("_") and not part.endswith("__") for part in scope.path):
            return False
        scope = scope.parent
    return True


def _public(name: str) -> bool:
    return not name.startswith("_") or name.endswith("__")


@FIX.on_ast(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
def _definition(walk: "Walk", node: Union[ast.FunctionDef, ast.AsyncFunctionDef,
                                          ast.ClassDef]) -> None:
    renames = walk.renames
    if not _visible(walk) or not _public(node.name):
        return
    path = ".".join(walk.scope.path + (node.name,))
    old = renames.old(node.name)
    if old is not None:
        kind = "class" if isinstance(node, ast.ClassDef) else (
            "method" if walk.scope.kind == "class" else "function")
        _report(walk, node.lineno, kind, ".".join(walk.scope.path + (old,)), path)
    if isinstance(node, ast.ClassDef):
        return
    args = node.args
    for arg in [*args.args, *args.kwonlyargs]:  # positional-only: no caller names them
        old = renames.old(arg.arg)
        if old is not None:
            _report(walk, arg.lineno, "keyword parameter", old, arg.arg, path)


@FIX.on_ast(ast.Attribute)
def _attribute(walk: "Walk", node: ast.Attribute) -> None:
    old = walk.renames.old(node.attr)
    if old is not None:
        _report(walk, node.end_lineno or node.lineno, "attribute", "." + old, "." + node.attr)


@FIX.on_ast(ast.keyword)
def _keyword(walk: "Walk", node: ast.keyword) -> None:
    old = walk.renames.old(node.arg or "")
    if old is not None:
        line = getattr(node, "lineno", node.value.lineno)  # keywords have lines from 3.9
        _report(walk, line, "keyword argument", old + "=", f"{node.arg}=")


@FIX.on_ast(ast.Name)
def _name(walk: "Walk", node: ast.Name) -> None:
    old = walk.renames.old(node.id)
    if old is not None and type(node.ctx) is not ast.Load and _visible(walk):
        what = "class attribute" if walk.scope.kind == "class" else "module-level name"
        _report(walk, node.lineno, what, old, node.id)


@FIX.on_ast(ast.Import, ast.ImportFrom)
def _import(walk: "Walk", node: Union[ast.Import, ast.ImportFrom]) -> None:
    renames = walk.renames
    modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [
        "." * (node.level or 0) + (node.module or "")]
    for module in modules:
        parts = module.lstrip(".").split(".")
        if any(renames.old(part) for part in parts):
            old = ".".join(renames.old(part) or part for part in parts)
            dots = module[:len(module) - len(module.lstrip("."))]
            _report(walk, node.lineno, "module", dots + old, module)
    for alias in node.names:
        if isinstance(node, ast.ImportFrom):  # a module's name, or a submodule
            was = renames.old(alias.name)
            if was is not None:
                _report(walk, node.lineno, "name", was, alias.name,
                        "." * (node.level or 0) + (node.module or ""))
                if not alias.asname:
                    continue
        was = renames.old(alias.asname or "")
        if was is not None and _visible(walk):
            _report(walk, node.lineno, "module-level name", was, alias.asname or "")
