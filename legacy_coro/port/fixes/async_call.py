"""``asyncio.async(x)`` -> ``asyncio.ensure_future(x)``.

``async`` is a keyword since 3.7, so no parser of today reads
``asyncio.async``: the rewrite runs on the text, before anything parses it,
and works on tokens, so strings and comments are never touched.
"""

import io
import re
import token
import tokenize
from typing import List, Sequence, Set, Tuple

from legacy_coro.port._registry import Fix

__all__ = ["FIX", "rewrite_async_calls"]

_DOT_ASYNC = re.compile(r"\.\s*async\b")


def _module_aliases(tokens: Sequence[tokenize.TokenInfo]) -> Set[str]:
    """Return the names bound to the asyncio module by ``import asyncio [as X]``."""
    names = {"asyncio"}
    words = [t.string for t in tokens if t.type == token.NAME]
    for i in range(len(words) - 3):
        if words[i] == "import" and words[i + 1] == "asyncio" and words[i + 2] == "as":
            names.add(words[i + 3])
    return names


def rewrite_async_calls(text: str) -> str:
    """Rewrite ``asyncio.async`` (and ``ALIAS.async``) to ``asyncio.ensure_future``."""
    if not _DOT_ASYNC.search(text):
        return text
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    aliases = _module_aliases(tokens)
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.COMMENT)]
    targets: List[Tuple[int, int, int]] = []
    for i in range(2, len(significant)):
        tok = significant[i]
        if (tok.type == token.NAME and tok.string == "async"
                and significant[i - 1].string == "."
                and significant[i - 2].type == token.NAME
                and significant[i - 2].string in aliases):
            targets.append((tok.start[0], tok.start[1], tok.end[1]))
    if not targets:
        return text
    lines = text.splitlines(keepends=True)
    for row, start, end in reversed(targets):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + "ensure_future" + line[end:]
    return "".join(lines)


FIX = Fix("async_call", prepare=rewrite_async_calls)
