"""``if sys.version_info ...`` branches that never run on the port's target are left as they are.

The evaluator (:mod:`legacy_coro.port.fixes.version_branches`) is checked against the test
evaluated at every version in a wide range; the port's tables pair each
construct left alone with the same construct ported (on a target where the
branch runs, or where the test is not decided).
"""

import ast
import itertools
from typing import List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("libcst")  # the port's fixes import it (not on pypy3, py316)

from legacy_coro.port.fixes.version_branches import _Version, branch_outcome  # noqa: E402


def _is_version_info(node: ast.expr) -> bool:
    return ast.dump(node) in (
        ast.dump(ast.parse("sys.version_info", mode="eval").body),
        ast.dump(ast.parse("version_info", mode="eval").body))


def outcome(test: str, target: Tuple[int, int]) -> Optional[bool]:
    return branch_outcome(ast.parse(test, mode="eval").body, _is_version_info, target)


@pytest.mark.parametrize(("test", "target", "expected"), [
    ("sys.version_info[:3] <= (3, 5, 0)", (3, 8), False),  # websockets 6.0's
    ("sys.version_info[:3] <= (3, 5, 0)", (3, 6), False),
    ("sys.version_info[:2] >= (3, 6)", (3, 8), True),
    ("sys.version_info >= (3, 8)", (3, 8), True),  # 3.8.0a1 included: longer tuples are greater
    ("sys.version_info >= (3, 8, 0, 'final')", (3, 8), None),  # not on 3.8.0a1
    ("sys.version_info >= (3, 9)", (3, 8), None),
    ("sys.version_info >= (3, 9)", (3, 9), True),
    ("sys.version_info < (3, 10)", (3, 10), False),
    ("sys.version_info < (3, 8, 1)", (3, 8), None),
    ("sys.version_info > (3, 8)", (3, 8), True),
    ("sys.version_info[:2] > (3, 8)", (3, 8), None),
    ("sys.version_info[0] == 2", (3, 8), False),
    ("sys.version_info[0] >= 3", (3, 6), True),
    ("sys.version_info.major < 3", (3, 8), False),
    ("sys.version_info.major == 3 and sys.version_info.minor >= 5", (3, 8), True),
    ("sys.version_info.minor < 7", (3, 8), False),
    ("sys.version_info.minor < 9", (3, 8), None),
    ("not sys.version_info >= (3, 7)", (3, 8), False),
    ("(3, 5) <= sys.version_info < (3, 7)", (3, 8), False),
    ("sys.version_info < (3, 7) or sys.version_info >= (3, 8)", (3, 8), True),
    ("version_info < (3,)", (3, 8), False),
    ("sys.version_info[-1] == 0", (3, 8), None),
    ("sys.version_info.releaselevel == 'final'", (3, 8), None),
    # Not read: a call, another attribute, a name that is not version_info.
    ("sys.version_info >= min((3, 5), (3, 6))", (3, 8), None),
    ("sys.hexversion >= 0x030500F0", (3, 8), None),
    ("sys.platform == 'win32'", (3, 8), None),
    ("PY35", (3, 8), None),
    ("sys.version_info >= (3, 5) and sys.platform == 'win32'", (3, 8), None),
    ("sys.version_info[:n] >= (3, 5)", (3, 8), None),
])
def test_outcome(test: str, target: Tuple[int, int], expected: Optional[bool]) -> None:
    assert outcome(test, target) is expected


_FIELDS = st.sampled_from(["", "[:1]", "[:2]", "[:3]", "[0]", "[1]", "[2]", ".major", ".minor",
                           ".micro"])
_OPS = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])


@st.composite
def _comparisons(draw: st.DrawFn) -> str:
    field = draw(_FIELDS)
    if field in ("", "[:1]", "[:2]", "[:3]"):
        size = draw(st.integers(1, 3))
        numbers = [3] + draw(st.lists(st.integers(0, 14), min_size=size - 1,
                                      max_size=size - 1))
        constant = "(" + ", ".join(map(str, numbers)) + ",)"
    else:
        constant = str(draw(st.integers(0, 14)))
    return f"sys.version_info{field} {draw(_OPS)} {constant}"


_TESTS = st.recursive(
    _comparisons(),
    lambda inner: st.one_of(
        st.builds("not ({})".format, inner),
        st.builds("({}) and ({})".format, inner, inner),
        st.builds("({}) or ({})".format, inner, inner)),
    max_leaves=3)


@settings(max_examples=150, deadline=None)
@given(_TESTS, st.integers(6, 15))
def test_outcome_is_the_value_on_every_version(test: str, minor: int) -> None:
    """The versions the evaluator picks stand for all: check against 3.MINOR..3.19 in full."""
    code = compile(ast.parse(test, mode="eval"), "<test>", "eval")
    values = set()
    for version in itertools.product(range(minor, 20), range(0, 16),
                                     ("alpha", "beta", "candidate", "final"), range(0, 2)):
        values.add(bool(eval(code, {"sys": _Sys(_Version(3, *version))})))
    expected = values.pop() if len(values) == 1 else None
    assert outcome(test, (3, minor)) is expected


class _Sys:
    def __init__(self, version: _Version) -> None:
        self.version_info = version


pytest.importorskip("libcst")

from port_helpers import d, port  # noqa: E402

WEBSOCKETS = """\
    import asyncio
    import sys


    class Connect:
        def __init__(self, uri):
            self.uri = uri


    # We can't define __await__ on Python < 3.5.1
    if sys.version_info[:3] <= (3, 5, 0):                       # pragma: no cover
        @asyncio.coroutine
        def connect(*args, **kwds):
            return Connect(*args, **kwds).__iter__()
        connect.__doc__ = Connect.__doc__

    else:
        @asyncio.coroutine
        def handshake(uri):
            yield from asyncio.sleep(0)
        connect = Connect
    """

# (source, target, expected or None for "unchanged", codes)
BRANCHES = [
    pytest.param(
        WEBSOCKETS, (3, 8),
        """\
        import asyncio
        import sys


        class Connect:
            def __init__(self, uri):
                self.uri = uri


        # We can't define __await__ on Python < 3.5.1
        if sys.version_info[:3] <= (3, 5, 0):                       # pragma: no cover
            @asyncio.coroutine
            def connect(*args, **kwds):
                return Connect(*args, **kwds).__iter__()
            connect.__doc__ = Connect.__doc__

        else:
            async def handshake(uri):
                await asyncio.sleep(0)
            connect = Connect
        """,
        [],
        id="dead-branch-left-live-branch-ported",
    ),
    pytest.param(
        """\
        import asyncio
        import sys

        if sys.version_info >= (3, 10):
            @asyncio.coroutine
            def f():
                yield from asyncio.sleep(0)
        else:
            @asyncio.coroutine
            def f(loop):
                yield from asyncio.sleep(0, loop=loop)
        """,
        (3, 8),
        """\
        import asyncio
        import sys

        if sys.version_info >= (3, 10):
            async def f():
                await asyncio.sleep(0)
        else:
            async def f(loop):
                await asyncio.sleep(0)
        """,
        [],
        id="both-branches-run-on-the-target-both-ported",
    ),
    pytest.param(
        """\
        import asyncio
        import sys

        if sys.version_info >= (3, 10):
            @asyncio.coroutine
            def f():
                yield from asyncio.sleep(0)
        else:
            @asyncio.coroutine
            def f(loop):
                yield from asyncio.sleep(0, loop=loop)
        """,
        (3, 10),
        """\
        import asyncio
        import sys

        if sys.version_info >= (3, 10):
            async def f():
                await asyncio.sleep(0)
        else:
            @asyncio.coroutine
            def f(loop):
                yield from asyncio.sleep(0, loop=loop)
        """,
        [],
        id="py310-plus-else-branch-left",
    ),
    pytest.param(
        """\
        import sys
        from asyncio import coroutine, sleep

        if sys.version_info < (3, 5):
            @coroutine
            def f():
                return sleep(0)
        elif sys.version_info < (3, 7):
            @coroutine
            def f():
                yield from sleep(1)
        else:
            @coroutine
            def f():
                yield from sleep(2)
        """,
        (3, 8),
        """\
        import sys
        from asyncio import coroutine, sleep

        if sys.version_info < (3, 5):
            @coroutine
            def f():
                return sleep(0)
        elif sys.version_info < (3, 7):
            @coroutine
            def f():
                yield from sleep(1)
        else:
            async def f():
                await sleep(2)
        """,
        [],
        id="elif-chain-the-import-the-dead-branches-use-stays",
    ),
    pytest.param(
        """\
        import sys as _sys
        from sys import version_info
        import asyncio

        if version_info.major == 2:
            def f():
                yield from g()
        if _sys.version_info[0] < 3:
            def h():
                yield from g()
        """,
        (3, 8),
        None,
        [],
        id="no-site-in-dead-code-however-version-info-is-imported",
    ),
    pytest.param(
        """\
        import asyncio
        import sys

        def helper():
            yield from asyncio.sleep(0)

        if sys.version_info < (3, 5):
            def names():
                return list(helper())

        @asyncio.coroutine
        def main():
            yield from helper()
        """,
        (3, 8),
        """\
        import asyncio
        import sys

        async def helper():
            await asyncio.sleep(0)

        if sys.version_info < (3, 5):
            def names():
                return list(helper())

        async def main():
            await helper()
        """,
        ["helper:helper"],
        id="a-use-in-dead-code-does-not-keep-a-helper-a-generator",
    ),
    pytest.param(
        """\
        import asyncio
        import sys

        class Client:
            if sys.version_info >= (3, 6):
                @asyncio.coroutine
                def close(self):
                    yield from asyncio.sleep(0)
            else:
                @asyncio.coroutine
                def close(self):
                    yield from asyncio.sleep(0, loop=self.loop)
        """,
        (3, 8),
        """\
        import asyncio
        import sys

        class Client:
            if sys.version_info >= (3, 6):
                async def close(self):
                    await asyncio.sleep(0)
            else:
                @asyncio.coroutine
                def close(self):
                    yield from asyncio.sleep(0, loop=self.loop)
        """,
        [],
        id="in-a-class-body",
    ),
    pytest.param(
        """\
        import asyncio
        import sys

        @asyncio.coroutine
        def f(loop):
            if sys.version_info < (3, 5):
                return asyncio.wait_for(g(), 1, loop=loop)
            return 1
        """,
        (3, 8),
        """\
        import asyncio
        import sys

        async def f(loop):
            if sys.version_info < (3, 5):
                return asyncio.wait_for(g(), 1, loop=loop)
            return 1
        """,
        [],
        id="in-a-function-dead-return-not-counted",
    ),
    pytest.param(
        """\
        import asyncio
        import sys

        @asyncio.coroutine
        def f(loop):
            if sys.version_info < (3, 5):
                yield from asyncio.sleep(0, loop=loop)
            else:
                yield from asyncio.sleep(0)
        """,
        (3, 8),
        """\
        import asyncio
        import sys

        async def f(loop):
            if sys.version_info < (3, 5):
                await asyncio.sleep(0)
            else:
                await asyncio.sleep(0)
        """,
        [],
        id="in-a-function-dead-yield-ported-with-it",
    ),
    pytest.param(
        """\
        import asyncio
        import sys

        if sys.version_info >= (3, 9) or sys.platform == "win32":
            @asyncio.coroutine
            def f():
                yield from asyncio.sleep(0)
        else:
            @asyncio.coroutine
            def f():
                yield from asyncio.sleep(1)
        """,
        (3, 8),
        """\
        import asyncio
        import sys

        if sys.version_info >= (3, 9) or sys.platform == "win32":
            async def f():
                await asyncio.sleep(0)
        else:
            async def f():
                await asyncio.sleep(1)
        """,
        [],
        id="undecided-test-both-ported",
    ),
    pytest.param(
        """\
        import asyncio

        class sys:
            version_info = (2, 7)

        if sys.version_info < (3,):
            @asyncio.coroutine
            def f():
                yield from asyncio.sleep(0)
        """,
        (3, 8),
        """\
        import asyncio

        class sys:
            version_info = (2, 7)

        if sys.version_info < (3,):
            async def f():
                await asyncio.sleep(0)
        """,
        [],
        id="a-sys-that-is-not-the-module-is-not-read",
    ),
]


@pytest.mark.parametrize(("src", "target", "expected", "codes"), BRANCHES)
def test_branch(src: str, target: Tuple[int, int], expected: Optional[str],
                codes: List[str]) -> None:
    result, found = port(src, target)
    assert result == d(expected if expected is not None else src)
    assert sorted(found) == sorted(codes)
    again, codes_again = port(result, target)
    assert again == result
    assert codes_again == [c for c in found if not c.startswith("helper:")]
