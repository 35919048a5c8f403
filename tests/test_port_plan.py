"""Folding: LibCST sees less, the result is the same.

Statements with nothing to port are folded into placeholder lines before
LibCST parses the file (``legacy_coro.port._fold``).  Every test here ports a
text twice, folded and with a full LibCST visit of the whole file (every node,
every field, no statement skipped), and requires the same bytes, the same
sites on the same lines and the same conversions.
"""

import textwrap
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

cst = pytest.importorskip("libcst")

from libcst.metadata import MetadataWrapper, PositionProvider  # noqa: E402

from port_helpers import d  # noqa: E402
from test_port_rewrites import REFUSALS, REWRITES  # noqa: E402  (the rewrite tables)

from legacy_coro.port._fold import Reduced  # noqa: E402
from legacy_coro.port._pipeline import port_source  # noqa: E402
from legacy_coro.port._plan import plan_file  # noqa: E402
from legacy_coro.port import fixes  # noqa: E402
from legacy_coro.port._context import Context  # noqa: E402
from legacy_coro.port._options import DEFAULT_TARGET  # noqa: E402
from legacy_coro.port._run import Run  # noqa: E402
from legacy_coro.port._summary import analyse  # noqa: E402
from legacy_coro.port._transform import Transformer, dispatch  # noqa: E402
from legacy_coro.port._wrap import wrap  # noqa: E402
from legacy_coro.port.fixes.async_names import rename_names  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
Result = Tuple[str, List[Tuple[int, str, str]], Tuple[str, ...]]


def reduce_source(text: str) -> Optional[Reduced]:
    analysis = analyse(text)
    return analysis.reduced if analysis is not None else None


class EveryNode(Transformer):
    """The transform entering every node: nothing left out below a name or a literal."""

    def worth_entering(self, node: Any) -> bool:
        return True


def full_visit(text: str) -> Result:
    """Port *text* the plain LibCST way: parse all of it, visit every node."""
    prepared = rename_names(text)
    module = cst.parse_module(prepared)
    analysis = analyse(prepared, "t", ident="t.py", fold=False)
    assert analysis is not None
    facts = Run({"t.py": analysis.info}).facts("t.py")
    plan = plan_file(analysis.definitions, facts)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    def line_of(node: Any) -> Optional[int]:
        position = positions.get(node)
        return position.start.line if position is not None else None

    transformer = EveryNode(Context(DEFAULT_TARGET, plan, facts, analysis.scopes, analysis.counts,
                                    line_of), dispatch(fixes.FIXES))
    code = wrap(text, transformer.transform(module).code)
    sites = sorted({(line_of(n) or 0, c, detail) for n, c, detail in transformer.out.reports}
                   | set(facts.reports) | set(plan.sites))
    return code, sites, tuple(transformer.out.converted)


def folded(text: str) -> Result:
    result = port_source(text.encode(), "t.py")
    return (result.source.decode(), [tuple(s) for s in result.sites],  # type: ignore[misc]
            result.converted_names)


def assert_same(text: str) -> None:
    assert folded(text) == full_visit(text)


HELPER = '''\
def helper(values):
    """Nothing to port in here."""
    return [v * 2 for v in values]  # a comment
'''

CASES = [
    pytest.param(d('''\
        """Module docstring."""
        import asyncio

        X = 1

        ''') + HELPER + d('''\


        @asyncio.coroutine
        def fetch(url):
            """Docstring folded."""
            data = {"url": url}
            yield from asyncio.sleep(1, loop=LOOP)
            return data
        '''), 4, id="helpers-and-docstrings-fold"),
    pytest.param(d('''\
        import asyncio
        a = 1; b = 2
        if a: b = 3

        @asyncio.coroutine
        def f():
            x = 1; y = 2
            if x: y = 3
            yield from g()
        '''), 2, id="statements-sharing-a-line-fold-only-whole"),
    pytest.param(d('''\
        import asyncio

        class Handler(object):
            @property
            def name(self):
                return "h"

            @asyncio.coroutine
            def handle(self):
                with (yield from self.lock):
                    self.count += 1
                    # a comment inside
                return self.count
        '''), 2, id="decorated-method-folds-whole"),
    pytest.param(d('''\
        import asyncio
        import os


        def plain():
            s = """
        a multi-line string
            with odd indentation
        """
            return s
            # trailing comment of the block

        # comment before
        @asyncio.coroutine
        def f():
            return (yield from g())
        '''), 1, id="multiline-string-and-block-comments"),
    pytest.param(d('''\
        import asyncio

        def gen():
            yield from range(3)


        def other():
            yield from fetch()

        ''') + HELPER + d('''\

        @asyncio.coroutine
        def fetch():
            yield from asyncio.sleep(0)

        def after():
            pass

        loop = asyncio.get_event_loop()
        '''), 2, id="sites-keep-their-original-lines"),
    pytest.param(d('''\
        from asyncio import coroutine as co, wait as w
        ''') + HELPER + d('''\

        @co
        def f():
            return 1

        def g(fs):
            return w([h() for h in fs])
        '''), 1, id="aliased-imports-are-looked-for"),
    pytest.param(d('''\
        import asyncio
        try:
            import trollius as asyncio
        except ImportError:
            pass
        ''') + HELPER + d('''\

        @asyncio.coroutine
        def f():
            yield
        '''), 2, id="imports-in-try-stay"),
    pytest.param(d('''\
        import asyncio
        __legacy_coro_kept_0__ = 1
        ''') + HELPER + d('''\

        @asyncio.coroutine
        def f():
            yield from g()
        '''), 2, id="placeholder-name-already-in-the-file"),
    pytest.param(d('''\
        import asyncio
        S = "\u00e9t\u00e9"; T = 1
        def helper():
            return "caf\u00e9"  # \u00e9

        @asyncio.coroutine
        def f():
            s = "\u00e9"
            yield from g(s)
        '''), 2, id="non-ascii"),
    pytest.param(d('''\
        import asyncio

        def helper():
            return 1
        @asyncio.coroutine
        def f():
            yield from g()''').replace("\n", "\r\n"), 1, id="crlf-no-final-newline"),
    pytest.param("import asyncio\r\ndef helper():\r    return 1\n@asyncio.coroutine\n"
                 "def f():\n    yield from g()\n", 0, id="lone-cr-is-not-folded"),
    pytest.param(d('''\
        import asyncio

        @asyncio.coroutine
        def f():
            def inner():
                return fut
            return inner
        '''), 0, id="returns-of-a-decorated-function-are-visited"),
    pytest.param(d('''\
        import asyncio

        def h(): pass

        @asyncio.coroutine
        def f():
            if x:
                yield from g()
            elif y:
                y = 1
            else:
                y = 2
            try:
                z = yield from g()
            except E:
                z = 3
            else:
                z = 4
            finally:
                w = 5
            for i in range(3):
                v = yield from g()
            else:
                v = 6
            while (yield from g()):
                u = 7
            with open(p) as fh:
                yield from g(fh)
                fh.close()
        '''), 9, id="folds-inside-every-kind-of-block"),
    pytest.param(d('''\
        import asyncio

        @asyncio.coroutine
        def f():
            yield from g()

        class WhichComments:
            def m(self):
                return 2
                # end of m
               # odd indentation
            # end of WhichComments
          # after WhichComments
        '''), 1, id="deeper-comments-after-a-fold-at-the-end"),
]


@pytest.mark.parametrize(("text", "folds"), CASES)
def test_folded_port_equals_full_visit(text: str, folds: int) -> None:
    reduced = reduce_source(rename_names(text))
    assert (len(reduced.kept) if reduced else 0) == folds
    assert_same(text)


def test_sites_point_at_the_original_lines() -> None:
    text = CASES[4].values[0]
    result = port_source(text.encode(), "t.py")
    lines = text.splitlines()
    # `yield from range(3)` is plainly a generator: no site.
    assert [(s.code, lines[s.line - 1].strip()) for s in result.sites] == [
        ("LC004", "yield from fetch()"), ("LC014", "loop = asyncio.get_event_loop()")]


def test_restore_refuses_a_lost_placeholder() -> None:
    reduced = reduce_source("import asyncio\n" + HELPER + "@asyncio.coroutine\ndef f():\n"
                            "    yield from g()\n")
    assert reduced is not None and len(reduced.kept) == 1
    name = next(iter(reduced.kept))
    assert reduced.restore(reduced.text) is not None
    assert reduced.restore(reduced.text.replace(name, "x")) is None
    assert reduced.restore(reduced.text + name + "\n") is None


LIBCST_BUG = """\
import asyncio

def h():
    try:
        pass
    except OSError :  # LibCST would lose this space (its issue 1457)
        pass

@asyncio.coroutine
def f():
    yield from g()
"""


def test_folding_keeps_what_libcst_would_change() -> None:
    assert port_source(LIBCST_BUG.encode()).source.decode() == LIBCST_BUG.replace(
        "import asyncio\n\n", "").replace("@asyncio.coroutine\ndef f():\n    yield from",
                                           "async def f():\n    await")


def test_a_round_trip_libcst_gets_wrong_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folded or not, text LibCST would change unasked is never written."""
    from legacy_coro.port import _file, _render

    real = cst.parse_module

    def lossy(text: str) -> "cst.Module":
        return real(text.replace("    # keep me\n", ""))  # a parser that drops a comment

    monkeypatch.setattr(_file.cst, "parse_module", lossy)
    text = "import asyncio\n" + HELPER + "\n@asyncio.coroutine\ndef f():\n    # keep me\n" \
        "    yield from g()\n"
    with pytest.raises(_render.PortError, match="line 8 exactly .'# keep me' would "
                       "become 'yield from g..'."):
        port_source(text.encode())


def test_python_that_cannot_parse_the_file_gets_no_plan() -> None:
    assert reduce_source("def f(:\n    yield\n") is None


@pytest.mark.parametrize("src", [p.values[0] for p in REWRITES + REFUSALS],
                         ids=[p.id for p in REWRITES + REFUSALS])
def test_every_rewrite_and_refusal_folds_to_the_same_port(src: str) -> None:
    assert_same(d(src))


EXAMPLES = sorted((ROOT / "examples_legacy").glob("*.py")) + sorted(
    (ROOT / "examples_legacy" / "as_printed").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_examples_fold_to_the_same_port(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8"))


# Property: modules assembled from chunks that fold and chunks that do not, at
# module level and nested in a class or an `if`, port the same either way.
_CHUNKS = [
    HELPER,
    "X = [\n    1,\n    2,\n]  # trailing\n",
    "# just a comment\n",
    "\n\n",
    "a = 1; b = 2\n",
    "if a: b = 1\n",
    's = """\nmulti\n  line\n"""\n',
    "@property\ndef p(self):\n    return self._p\n",
    "@asyncio.coroutine\ndef c1(x):\n    '''Doc.'''\n    y = x + 1\n    yield from g(y)\n"
    "    return y\n",
    "@asyncio.coroutine\ndef c2():\n    return 1\n",
    "@asyncio.coroutine\ndef c3():\n    return fut\n",
    "@asyncio.coroutine\ndef c4(lock):\n    with (yield from lock):\n        n = 1\n"
    "        # inside\n    yield\n",
    "def gen():\n    v = 1\n    yield from other()\n",
    "def gen2():\n    yield 1\n",
    "q = asyncio.Queue(loop=loop)\n",
    "t = asyncio.Task.all_tasks()\n",
    "done = asyncio.wait([f(), g()])\n",
    "try:\n    import json\nexcept ImportError:\n    json = None\n",
    "class K:\n    '''Doc.'''\n    attr = 1\n\n    def m(self):\n        return 2\n",
]
_HEADS = ["import asyncio\n", "import asyncio\nimport os\n", '"""Doc."""\nimport asyncio\n',
          "import os\nimport asyncio as asyncio\n"]


@st.composite
def modules(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(_HEADS))]
    for _ in range(draw(st.integers(1, 8))):
        chunk = draw(st.sampled_from(_CHUNKS))
        wrap = draw(st.sampled_from(["", "class W:\n", "if True:\n"]))
        if wrap:
            chunk = wrap + textwrap.indent(chunk, "    ", lambda line: True).replace(
                "    \n", "\n")
            if not any(line.strip() and not line.strip().startswith("#")
                       for line in chunk.splitlines()[1:]):
                chunk += "    pass\n"
        parts.append(chunk)
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


@settings(max_examples=200, deadline=None)
@given(modules())
def test_any_module_folds_to_the_same_port(text: str) -> None:
    try:
        compile(text, "t.py", "exec")
    except SyntaxError:  # a chunk that needs a function around it, wrapped in a class
        return
    assert_same(text)
