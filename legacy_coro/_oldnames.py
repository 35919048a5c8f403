"""Where old source uses ``async`` and ``await`` as names: CPython 3.6's rule, in one place.

Before 3.7 both were names almost everywhere (``self.async``,
``dict(async=True)``, ``def f(async=False)``, ``from asyncio import async``, a
module ``pkg/async.py``); since 3.7 they are keywords and each such use is a
SyntaxError.  Both the layer (which hides them from the parser) and the port
(which renames them) need to know exactly which tokens 3.6 read as names.
The rule, from 3.6's ``Parser/tokenizer.c``:

- inside an ``async def`` (its header and its indented block, nested functions
  included) both are keywords;
- outside, ``async`` is a keyword only right before ``def``; everything else
  is a name (``async for`` and ``async with`` only occur inside an ``async def``);
- in the replacement fields of an f-string both are always names: 3.6 compiled
  each field on its own, with a tokenizer that knew of no enclosing ``async def``.
  Inside an ``async def``, though, code for 3.7+ (the port's own output, ported
  again) writes ``f"{await x}"`` and ``f"{[y async for y in z]}"``, which 3.6
  refused: there an ``await`` before an operand and an ``async`` before ``for``
  are keywords, unless right after a dot.

Plain :mod:`tokenize`.  Before 3.12 an f-string is one STRING token, so its
fields are read here; from 3.12 on the tokenizer yields their tokens.
"""

import io
import re
import token
import tokenize
from typing import Iterator, List, NamedTuple, Optional, Tuple

__all__ = ["OldName", "maybe_old_names", "old_names"]

#: A cheap pre-check on the text: can it hold ``async``/``await`` used as a name?
#: Only the keyword uses that modern code is full of are ruled out: ``async`` before
#: def/for/with, ``await`` before an operand (a name, a literal, a bracket).
#: (The literal "a" first, its word boundary looked behind: the scan skips to each "a".)
_MAYBE = re.compile(
    r"a(?<!\wa)(?:sync\b(?![ \t\f]+(?:def|for|with)\b)"
    r"|wait\b(?![ \t\f]*[\w'\"{(\[])"
    r"|wait[ \t\f]+(?:and|or|if|else|is|in|not|for)\b)")

_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})
_WORDS = ("async", "await")
_FSTRING_START: Optional[int] = getattr(token, "FSTRING_START", None)  # 3.12+
_FSTRING_END: Optional[int] = getattr(token, "FSTRING_END", None)
_PREFIX = re.compile(r"[A-Za-z]*")


class OldName(NamedTuple):
    """One ``async``/``await`` that 3.6 read as a name."""

    row: int  #: 1-based, as :mod:`tokenize` counts
    col: int  #: in characters of that line
    word: str  #: "async" or "await"


def maybe_old_names(text: str) -> bool:
    """Tell cheaply whether *text* may use ``async``/``await`` as a name."""
    return ("async" in text or "await" in text) and _MAYBE.search(text) is not None


def old_names(text: str) -> List[OldName]:
    """Return every ``async``/``await`` of *text* that 3.6 read as a name, in order.

    A text :mod:`tokenize` cannot read gives ``[]`` (the parser reports it).
    """
    if not maybe_old_names(text):
        return []
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type not in _SKIPPED]
    except (tokenize.TokenError, SyntaxError):
        return []
    return list(_names(tokens))


def _names(tokens: List[tokenize.TokenInfo]) -> Iterator[OldName]:
    depth = 0  # indentation
    block: Optional[int] = None  # the indentation of the async def we are in
    header = False  # on the async def's own logical line
    line_start = True
    fstrings = 0  # 3.12+: the f-strings the tokens are inside
    for index, tok in enumerate(tokens):
        kind = tok.type
        if kind == token.INDENT:
            depth += 1
            continue
        if kind == token.DEDENT:
            depth -= 1
            continue
        if kind == token.NEWLINE:
            line_start, header = True, False
            continue
        if line_start:
            line_start = False
            if block is not None and depth <= block and not header:
                block = None
        if kind == _FSTRING_START:
            fstrings += 1
        elif kind == _FSTRING_END:
            fstrings -= 1
        elif kind == token.STRING and _FSTRING_START is None:
            yield from _in_fstring(tok, block is not None)
        if kind != token.NAME or tok.string not in _WORDS:
            continue
        if fstrings:
            if block is None or not _keyword_in_field(tokens, index):
                yield OldName(tok.start[0], tok.start[1], tok.string)
            continue
        if block is not None:
            continue  # a keyword inside an async def
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if (tok.string == "async" and following is not None
                and following.type == token.NAME and following.string == "def"):
            block, header = depth, True
            continue
        yield OldName(tok.start[0], tok.start[1], tok.string)


def _keyword_in_field(tokens: List[tokenize.TokenInfo], index: int) -> bool:
    """In an f-string field inside an async def (3.12+ tokens): is this one a keyword?"""
    if index and tokens[index - 1].string == ".":
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is None:
        return False
    if tokens[index].string == "async":
        return following.string == "for"
    if following.string in _OPERATOR_WORDS:
        return False
    return following.type in (token.NAME, token.NUMBER, token.STRING, _FSTRING_START) or (
        following.string in _OPERAND_STARTS)


_OPERAND_STARTS = ("(", "[", "{", "-", "+", "~")
#: words after which an ``await`` can only have been a name (``{await if x else y}``)
_OPERATOR_WORDS = frozenset({"and", "or", "if", "else", "is", "in", "not", "for"})


# ---------------------------------------------------------------------------
# f-strings before 3.12: one STRING token whose fields are read here


def _in_fstring(tok: tokenize.TokenInfo, in_async_def: bool) -> Iterator[OldName]:
    """The names in the replacement fields of an f-string token (none in other strings)."""
    text = tok.string
    prefix = _PREFIX.match(text)
    assert prefix is not None
    if "f" not in prefix.group().lower():
        return
    for offset, word in _fstring_words(text):
        if in_async_def and _keyword_at(text, offset, word):
            continue
        before = text[:offset]
        newlines = before.count("\n")
        if newlines:
            yield OldName(tok.start[0] + newlines, offset - before.rindex("\n") - 1, word)
        else:
            yield OldName(tok.start[0], tok.start[1] + offset, word)


def _fstring_words(text: str) -> List[Tuple[int, str]]:
    """(offset, word) of each async/await in the fields of the f-string literal *text*."""
    prefix = _PREFIX.match(text)
    assert prefix is not None
    start = prefix.end()
    quote = text[start:start + 3] if text[start:start + 3] in ('"""', "'''") else text[start]
    raw = "r" in prefix.group().lower()
    found: List[Tuple[int, str]] = []
    _literal(text, start + len(quote), len(text) - len(quote), raw, False, found)
    return found


def _literal(text: str, i: int, end: int, raw: bool, spec: bool,
             found: List[Tuple[int, str]]) -> int:
    """Read literal text from *i*; return where it ends (a format spec: at its ``}``)."""
    while i < end:
        char = text[i]
        if char == "{":
            if not spec and text.startswith("{{", i):
                i += 2
                continue
            i = _field(text, i + 1, end, raw, found)
        elif char == "}":
            if spec:
                return i
            i += 2 if text.startswith("}}", i) else 1
        elif char == "\\" and not raw:
            # an escape; \N{NAME} holds braces that are no field
            i += 2
            if text[i - 1:i] == "N" and text.startswith("{", i):
                close = text.find("}", i)
                i = end if close < 0 else close + 1
        else:
            i += 1
    return i


def _field(text: str, i: int, end: int, raw: bool, found: List[Tuple[int, str]]) -> int:
    """Read a replacement field's expression from *i*; return the index after its ``}``."""
    depth = 0
    while i < end:
        char = text[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return i + 1
            depth -= 1
        elif depth == 0 and char == "!" and not text.startswith("!=", i):
            i += 2  # the conversion (!r, !s, !a)
            if text.startswith(":", i):
                i = _literal(text, i + 1, end, raw, True, found)
            return min(i, end) + 1
        elif depth == 0 and char == ":":
            return _literal(text, i + 1, end, raw, True, found) + 1
        elif char.isalpha() or char == "_":
            word_end = i + 1
            while word_end < end and (text[word_end].isalnum() or text[word_end] == "_"):
                word_end += 1
            word = text[i:word_end]
            if word_end < end and text[word_end] in "'\"" and _is_prefix(word):
                i = _string(text, i, word_end, end, found)
                continue
            if word in _WORDS:
                found.append((i, word))
            i = word_end
            continue
        elif char.isdigit():
            while i < end and (text[i].isalnum() or text[i] in "._"):
                i += 1
            continue
        elif char in "'\"":
            i = _string(text, i, i, end, found)
            continue
        i += 1
    return end


def _keyword_at(text: str, offset: int, word: str) -> bool:
    """In an f-string field inside an async def (a STRING token): is this one a keyword?"""
    if text[:offset].rstrip().endswith("."):
        return False
    rest = text[offset + len(word):].lstrip()
    if word == "async":
        return re.match(r"for\b", rest) is not None
    following = re.match(r"\w+", rest)
    if following is not None and following.group() in _OPERATOR_WORDS:
        return False
    return bool(rest) and (rest[0].isalnum() or rest[0] in "_'\"" or rest.startswith(
        _OPERAND_STARTS))


def _is_prefix(word: str) -> bool:
    return len(word) <= 2 and set(word.lower()) <= set("rbuf")


def _string(text: str, start: int, quote_at: int, end: int, found: List[Tuple[int, str]]) -> int:
    """Skip a string literal inside a field (reading its fields if an f-string); return its end."""
    quote = text[quote_at:quote_at + 3]
    if quote not in ('"""', "'''"):
        quote = text[quote_at]
    close = text.find(quote, quote_at + len(quote))
    close = end if close < 0 else close + len(quote)
    if "f" in text[start:quote_at].lower():
        found.extend((start + offset, word)
                     for offset, word in _fstring_words(text[start:close]))
    return close
