"""Small helpers over LibCST nodes that several fixes use."""

from typing import Any, List, Optional, Sequence, Tuple

import libcst as cst

__all__ = [
    "EMPTY", "LEAVES", "PRIMARY", "code_of", "dotted", "inert", "is_none", "paren",
    "parameters", "realign", "remove_from", "root_name", "unparen_one_line",
]

EMPTY = cst.Module(body=[])
_DUMMY_BODY = [cst.SimpleStatementLine([cst.Pass()])]

# `await X` needs no parentheses around X for these.
PRIMARY = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.ConcatenatedString,
    cst.FormattedString, cst.Integer, cst.Float, cst.Imaginary, cst.List, cst.Dict, cst.Set,
    cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Ellipsis,
)
# Nodes with nothing to port below them: whitespace, punctuation, atoms, operators.
LEAVES = frozenset([
    cst.SimpleWhitespace, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
    cst.ParenthesizedWhitespace, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual,
    cst.LeftParen, cst.RightParen, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.Name, cst.Integer, cst.Float,
    cst.Imaginary, cst.SimpleString, cst.Ellipsis, cst.Asynchronous,
    *(op for base in (cst.BaseBinaryOp, cst.BaseAugOp, cst.BaseBooleanOp, cst.BaseCompOp,
                      cst.BaseUnaryOp) for op in base.__subclasses__()),
])


def code_of(node: cst.CSTNode) -> str:
    """The source text of *node*."""
    return EMPTY.code_for_node(node)


def dotted(node: cst.BaseExpression) -> Optional[List[str]]:
    """Return ``a.b.c`` as ["a", "b", "c"], or None for anything else."""
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    parts.reverse()
    return parts


def root_name(node: cst.BaseExpression) -> Optional[str]:
    parts = dotted(node)
    return parts[0] if parts else None


def is_none(node: Optional[cst.BaseExpression]) -> bool:
    return node is None or (isinstance(node, cst.Name) and node.value == "None")


def remove_from(items: Sequence[Any], drop: Sequence[Any]) -> List[Any]:
    """Remove *drop* from a comma-separated sequence, keeping the last comma as it was."""
    kept = [item for item in items if not any(item is d for d in drop)]
    if kept and items and kept[-1] is not items[-1]:
        kept[-1] = kept[-1].with_changes(comma=items[-1].comma)
    return kept


def inert(node: Optional[cst.BaseExpression]) -> bool:
    """Whether *node* has nothing to port below it: a name, a dotted name or a literal."""
    return node is None or type(node) in LEAVES or dotted(node) is not None


def parameters(node: cst.Parameters) -> List[cst.Param]:
    params = [*node.posonly_params, *node.params, *node.kwonly_params]
    if isinstance(node.star_arg, cst.Param):
        params.append(node.star_arg)
    if node.star_kwarg is not None:
        params.append(node.star_kwarg)
    return params


def paren(node: Any) -> Any:
    """*node* in one pair of parentheses (and no other)."""
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def unparen_one_line(node: Any) -> Any:
    """*node* without its outermost parentheses, if it fits on one line without them."""
    if not node.lpar:
        return node
    bare = node.with_changes(lpar=node.lpar[1:], rpar=node.rpar[:-1])
    text = code_of(bare)
    return bare if "\n" not in text and "\r" not in text else node


def _comment_column(node: cst.CSTNode, comment: str, back: int) -> Optional[int]:
    """The column of *comment* on the *back*-th line from the end of *node*'s code."""
    lines = code_of(node).splitlines()
    if len(lines) < back or not lines[-back].endswith(comment):
        return None
    return len(lines[-back]) - len(comment)


def _header(original: Any, updated: Any) -> Optional[Tuple[Any, Any, Any, int]]:
    """(trailing whitespace, original, updated, line from the end) where a comment may sit."""
    if isinstance(updated, cst.SimpleStatementLine):
        return updated.trailing_whitespace, original, updated, 1
    if isinstance(getattr(updated, "body", None), cst.IndentedBlock):
        changes = {"body": updated.body.with_changes(body=_DUMMY_BODY)}
        if hasattr(updated, "orelse"):
            changes["orelse"] = None
        inner = updated.with_changes(**changes)
        changes["body"] = original.body.with_changes(body=_DUMMY_BODY)
        outer = original.with_changes(**changes)
        return updated.body.header, outer, inner, 2  # the header's line: before the dummy body
    return None


def realign(original: Any, updated: Any) -> Any:
    """Keep an end-of-line comment where it was, when the code before it changed length.

    ``asyncio.Lock(loop=loop)    # guards x`` loses 9 characters: the comment
    stays in its column.  A line that grows (``def`` to ``async def``) keeps
    at least two spaces before its comment.
    """
    found = _header(original, updated)
    if found is None:
        return updated
    trailing, outer, inner, back = found
    if trailing.comment is None:
        return updated
    spaces = trailing.whitespace.value
    if len(spaces) < 2 or spaces.strip(" "):
        return updated  # one space, or a tab: no column was being kept
    comment = trailing.comment.value
    before = _comment_column(outer, comment, back)
    after = _comment_column(inner, comment, back)
    if before is None or after is None or before == after or (
            after < before and len(spaces) == 2):
        return updated  # two spaces before a comment on a shorter line: PEP 8's, not a column
    width = max(2, len(spaces) + before - after)
    trailing = trailing.with_changes(whitespace=cst.SimpleWhitespace(" " * width))
    if isinstance(updated, cst.SimpleStatementLine):
        return updated.with_changes(trailing_whitespace=trailing)
    return updated.with_changes(body=updated.body.with_changes(header=trailing))
