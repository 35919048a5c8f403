"""The lines the port changes, laid out in the file's style (legacy_coro.port._wrap).

Rows the port lays out again (a line it made longer than the file's limit, a
continuation line whose bracket it moved) beside rows it leaves as they are (a
line too long before the port, lines the port did not change, a file indented
with tabs).  Each row is ported with the default target.
"""

from typing import List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port  # noqa: E402

from legacy_coro.port._pipeline import port_source  # noqa: E402
from legacy_coro.port._wrap import file_style, line_limit  # noqa: E402

LONG_COMMENT = "# " + " ".join(["a comment that runs on"] * 5)  # 116 characters

# (source, expected or None for "unchanged but for the port's own rewrites")
WRAPPED = [
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def settle(ledger):
            done, _ = yield from asyncio.wait([ledger.record('a', 2), ledger.record('b', 3),
                                               ledger.record('c', 4)])
            return done
        """,
        # the file's longest line (85) sets its limit at 88; it aligns with brackets
        """\
        import asyncio

        async def settle(ledger):
            done, _ = await asyncio.wait({asyncio.ensure_future(f)
                                          for f in {ledger.record('a', 2),
                                                    ledger.record('b', 3),
                                                    ledger.record('c', 4)}})
            return done
        """,
        id="wait-of-the-issue-aligned",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def fetch_everything(session, first_url, second_url, third_url, retries=3):
            yield from session.get(first_url)
        """,
        """\
        async def fetch_everything(session, first_url, second_url, third_url,
                                   retries=3):
            await session.get(first_url)
        """,
        id="async-def-parameters-aligned",
    ),
    pytest.param(
        """\
        import asyncio, functools

        @asyncio.coroutine
        def fetch(session,
                  url):
            @functools.wraps(session.get)
            def inner():
                pass
            yield from session.get(url)
        """,
        """\
        import functools

        async def fetch(session,
                        url):
            @functools.wraps(session.get)
            def inner():
                pass
            await session.get(url)
        """,
        id="async-def-parameters-move-with-the-parenthesis",
    ),
    pytest.param(
        """\
        import asyncio

        LOG = dict(
            level="info")

        @asyncio.coroutine
        def fetch_everything(session, first_url, second_url, third_url, retries=3):
            yield from session.get(first_url)
        """,
        # a hanging indent of 4 in the file; PEP 8's two levels in a def's header
        """\
        LOG = dict(
            level="info")

        async def fetch_everything(
                session, first_url, second_url, third_url, retries=3):
            await session.get(first_url)
        """,
        id="async-def-parameters-hanging",
    ),
    pytest.param(
        """\
        import asyncio

        def schedule(loop):
            task = asyncio.async(some_function_with_a_long_name(first_argument))
            return task
        """,
        """\
        import asyncio

        def schedule(loop):
            task = asyncio.ensure_future(
                some_function_with_a_long_name(first_argument))
            return task
        """,
        id="ensure-future-hangs-where-no-comma-fits",
    ),
    pytest.param(
        """\
        import asyncio

        class Client:
            @asyncio.coroutine
            def send(self, message):
                reply = yield from self.protocol.request(message.header, message.body,
                                                         self.timeout)
                return reply
        """,
        """\
        class Client:
            async def send(self, message):
                reply = await self.protocol.request(message.header, message.body,
                                                    self.timeout)
                return reply
        """,
        id="continuation-moves-with-its-bracket",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def load(db):
            rows = yield from db.query({'table': 'users',
                                        'limit': 10,
                                       })
            return rows
        """,
        """\
        async def load(db):
            rows = await db.query({'table': 'users',
                                   'limit': 10,
                                  })
            return rows
        """,
        id="closing-brace-stays-under-its-opener",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def load(db, key):
            rows = yield from db.query(table_for(key,
                                                 'users'),
                                       limit=10)
            return rows
        """,
        """\
        async def load(db, key):
            rows = await db.query(table_for(key,
                                            'users'),
                                  limit=10)
            return rows
        """,
        id="nested-brackets-both-move",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def poll(self):
            while True:
                if self.waiting_for_the_other_side and not self.closed_by_peer:
                    yield
        """,
        """\
        import asyncio

        async def poll(self):
            while True:
                if self.waiting_for_the_other_side and not self.closed_by_peer:
                    await asyncio.sleep(0)
        """,
        id="sleep-for-bare-yield-fits",
    ),
    pytest.param(
        """\
        import asyncio

        def show(record):
            return asyncio.async(log(f"{pad(record.name, 20)} {pad(record.size, 9)}"))
        """,
        # never inside an f-string's braces (3.12 reads a line break there, 3.11 does not)
        """\
        import asyncio

        def show(record):
            return asyncio.ensure_future(
                log(f"{pad(record.name, 20)} {pad(record.size, 9)}"))
        """,
        id="f-string-braces-never-broken",
    ),
]

LEFT = [
    pytest.param(
        f"""\
        import asyncio

        {LONG_COMMENT}

        @asyncio.coroutine
        def settle(ledger):
            done, _ = yield from asyncio.wait([ledger.record('a', 2), ledger.record('b', 3)])
            return done
        """,
        f"""\
        import asyncio

        {LONG_COMMENT}

        async def settle(ledger):
            done, _ = await asyncio.wait({{asyncio.ensure_future(f) for f in {{ledger.record('a', 2), ledger.record('b', 3)}}}})
            return done
        """,  # noqa: E501
        id="file-keeps-to-no-limit",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def settle(ledger):
            done, _ = yield from asyncio.wait([ledger.record('a', 2), ledger.record('b', 3)])  # noqa: E501
            return done
        """,  # noqa: E501
        """\
        import asyncio

        async def settle(ledger):
            done, _ = await asyncio.wait({asyncio.ensure_future(f) for f in {ledger.record('a', 2), ledger.record('b', 3)}})  # noqa: E501
            return done
        """,  # noqa: E501
        id="line-too-long-before-the-port",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def load(db):
            rows = yield from db.query(table,
                limit=10)
            other = db.prepare(table,
                               limit=10,
                                   offset=5)
            return rows
        """,
        """\
        async def load(db):
            rows = await db.query(table,
                limit=10)
            other = db.prepare(table,
                               limit=10,
                                   offset=5)
            return rows
        """,
        id="lines-not-aligned-by-their-author-or-not-changed",
    ),
    pytest.param(
        "import asyncio\n"
        "\n"
        "@asyncio.coroutine\n"
        "def load(db):\n"
        "\trows = yield from db.query(table,\n"
        "\t                           limit=10)\n"
        "\treturn rows\n",
        "async def load(db):\n"
        "\trows = await db.query(table,\n"
        "\t                           limit=10)\n"
        "\treturn rows\n",
        id="file-indented-with-tabs",
    ),
    pytest.param(
        '''\
        import asyncio

        @asyncio.coroutine
        def show(out):
            yield from out.write("""first
                                 second""", flush=True)
        ''',
        '''\
        async def show(out):
            await out.write("""first
                                 second""", flush=True)
        ''',
        id="string-spanning-lines-untouched",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def poll(self):
            if self.waiting_for_the_other_side_of_the_connection and not closed: yield
        """,
        # `asyncio.sleep(` over `0)` would be worse than one line over the limit
        """\
        import asyncio

        async def poll(self):
            if self.waiting_for_the_other_side_of_the_connection and not closed: await asyncio.sleep(0)
        """,  # noqa: E501
        id="sleep-zero-not-split",
    ),
]


@pytest.mark.parametrize(("src", "expected"), WRAPPED + LEFT)
def test_wrap(src: str, expected: str) -> None:
    result, _ = port(src)
    assert result == d(expected)
    assert port(result)[0] == result  # a second port changes nothing


def test_crlf_kept_in_new_lines() -> None:
    src = d(WRAPPED[0].values[0]).replace("\n", "\r\n")
    result = port_source(src.encode(), "t.py").source.decode()
    assert result == d(WRAPPED[0].values[1]).replace("\n", "\r\n")


@pytest.mark.parametrize(("longest", "limit"), [
    (40, 79), (79, 79), (80, 88), (88, 88), (95, 99), (100, 100), (101, 119), (120, 120),
    (121, None),
])
def test_line_limit_is_the_smallest_common_one_no_line_exceeds(longest: int,
                                                               limit: Optional[int]) -> None:
    lines = ["x = 1", "y = [" + "1, " * ((longest - 6) // 3) + "]"]
    lines[1] = lines[1][:-1].ljust(longest - 1) + "]"
    assert len(lines[1]) == longest
    assert line_limit(lines) == limit


@pytest.mark.parametrize("line", [
    "x = 1  # noqa: E501 " + "y" * 120,
    "# https://example.com/" + "a" * 120,
    "    " + "z" * 130,
])
def test_lines_let_run_long_do_not_set_the_limit(line: str) -> None:
    assert line_limit(["x = 1", line]) == 79


@pytest.mark.parametrize(("lines", "hanging", "indent", "header"), [
    (["x = f(a,", "      b)"], False, 4, 8),
    (["x = f(", "    a, b)"], True, 4, 8),
    (["x = f(", "  a)", "y = g(", "  b)", "z = h(c,", "      d)"], True, 2, 8),
    (["def f(", "        a):", "    x = g(", "        b)", "    return x"], True, 4, 8),
    (["if x:", "  y = g(", "      z)"], True, 4, 4),
])
def test_file_style_is_what_its_own_brackets_do(lines: List[str], hanging: bool, indent: int,
                                                header: int) -> None:
    style = file_style(lines, 79)
    assert (style.hanging, style.indent, style.header_indent) == (hanging, indent, header)
