"""``except Exception:`` around a coroutine's suspension point misses cancellation (LC021).

Before 3.8 ``asyncio.CancelledError`` derived from ``Exception``, so a handler
``except Exception:`` around a ``yield from`` caught a cancellation; since 3.8
it derives from ``BaseException`` and goes past.  A server that closed its
connections there no longer does (websockets 6.0's ``handler``).  The port
cannot know whether the handler was meant for cancellation, so it leaves the
code and says where: ``except (Exception, asyncio.CancelledError):`` keeps the
old meaning.  A bare ``except:`` and ``except BaseException:`` still catch it.
"""

from typing import TYPE_CHECKING, Iterator, List

import libcst as cst

from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("except_cancel")

#: since when CancelledError is a BaseException (the "CancelledError-base" row)
_CANCELLED_BASE_SINCE = (3, 8)


def _names(node: cst.BaseExpression) -> Iterator[str]:
    if isinstance(node, cst.Tuple):
        for element in node.elements:
            yield from _names(element.value)
    elif isinstance(node, (cst.Name, cst.Attribute)):
        yield node.attr.value if isinstance(node, cst.Attribute) else node.value


def _catches_exception_only(t: "Transformer", handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return False  # a bare except catches BaseException
    names: List[str] = list(_names(handler.type))
    if "CancelledError" in names or "BaseException" in names:
        return False
    # the builtin, unless the module imports a name of its own
    return "Exception" in names and t.qualified(cst.Name("Exception")) is None


class _Suspends(cst.CSTVisitor):
    """Whether a block holds a ``yield`` or ``await`` of its own function."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Yield(self, node: cst.Yield) -> bool:
        self.found = True
        return False

    def visit_Await(self, node: cst.Await) -> bool:
        self.found = True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


@FIX.leave(cst.Try)
def _report(t: "Transformer", original: cst.Try, updated: cst.Try) -> cst.Try:
    frame = t.frame
    if frame is None or not frame.coroutine or frame.kind in ("lambda", "class") or (
            t.ctx.target < _CANCELLED_BASE_SINCE):
        return updated
    handlers = [h for h in original.handlers if _catches_exception_only(t, h)]
    if not handlers:
        return updated
    suspends = _Suspends()
    original.body.visit(suspends)
    if suspends.found:
        for handler in handlers:
            t.report(handler, "LC021")
    return updated
