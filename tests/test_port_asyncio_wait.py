"""``asyncio.wait(fs)`` awaited: given the tasks 3.4-3.10 made of ``fs``, in the same order.

One row per construct, rows the port rewrites beside rows it leaves; then a
program whose print-out follows the order of the set ``wait()`` makes, run as
it was (CPython 3.6, no legacy_coro) and ported (this interpreter).
"""

import sys
import textwrap
from pathlib import Path
from typing import List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port  # noqa: E402

from legacy_coro._compare import resolve_python, run_script  # noqa: E402

# (source, expected or None for "unchanged", codes)
WAIT = [
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def main(loop, jobs, urls):
            done, _ = yield from asyncio.wait(jobs, loop=loop)
            done, _ = yield from asyncio.wait([fetch(u) for u in urls], timeout=1)
            done, _ = yield from asyncio.wait(
                fs=jobs, return_when=asyncio.FIRST_COMPLETED)
            done, _ = yield from asyncio.wait([fetch(urls[0])])
        """,
        # the file's one multi-line bracket hangs: so do the lines the port made too long
        """\
        import asyncio

        async def main(loop, jobs, urls):
            done, _ = await asyncio.wait({asyncio.ensure_future(f) for f in set(jobs)})
            done, _ = await asyncio.wait(
                {asyncio.ensure_future(f) for f in set([fetch(u) for u in urls])},
                timeout=1)
            done, _ = await asyncio.wait(
                fs={asyncio.ensure_future(f) for f in set(jobs)},
                return_when=asyncio.FIRST_COMPLETED)
            done, _ = await asyncio.wait([asyncio.ensure_future(fetch(urls[0]))])
        """,
        [],
        id="wait-given-tasks-as-it-made-them",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def main(a, b, c):
            done, _ = yield from asyncio.wait([a(), b(), c()])
            yield from asyncio.wait((a(), b()), timeout=1)
            yield from asyncio.wait({a(), b()})
            yield from asyncio.wait(fs=[a(), b()])
        """,
        # (lines over 79 characters broken as the file would: no bracket of its own
        # continues on another line, so aligned with the bracket)
        """\
        import asyncio

        async def main(a, b, c):
            done, _ = await asyncio.wait({asyncio.ensure_future(f)
                                          for f in {a(), b(), c()}})
            await asyncio.wait({asyncio.ensure_future(f) for f in {a(), b()}},
                               timeout=1)
            await asyncio.wait({asyncio.ensure_future(f) for f in {a(), b()}})
            await asyncio.wait(fs={asyncio.ensure_future(f) for f in {a(), b()}})
        """,
        [],
        id="literal-list-tuple-set-become-a-set-display",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def main(jobs, a, b):
            yield from asyncio.wait([*jobs, a()])
            yield from asyncio.wait([a(), b(),])
            yield from asyncio.wait([a()])
            yield from asyncio.wait([])
            yield from asyncio.wait(((a(), b())))
        """,
        # a set display adds the starred items as set() of the list does; one element
        # has no order to keep; an empty list stays an (empty) set, not a dict; a tuple
        # in two pairs of parentheses keeps set()
        """\
        import asyncio

        async def main(jobs, a, b):
            await asyncio.wait({asyncio.ensure_future(f) for f in {*jobs, a()}})
            await asyncio.wait({asyncio.ensure_future(f) for f in {a(), b(),}})
            await asyncio.wait([asyncio.ensure_future(a())])
            await asyncio.wait({asyncio.ensure_future(f) for f in set([])})
            await asyncio.wait({asyncio.ensure_future(f) for f in set(((a(), b())))})
        """,
        [],
        id="starred-trailing-comma-one-empty-double-parentheses",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def main(a, b):
            yield from asyncio.wait([a(),  # the first
                                     b()])
        """,
        """\
        import asyncio

        async def main(a, b):
            await asyncio.wait({asyncio.ensure_future(f) for f in {a(),  # the first
                                                                   b()}})
        """,
        [],
        id="multi-line-literal-realigned-with-its-brace",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def main(loop, urls):
            tasks = [loop.create_task(fetch(u)) for u in urls]
            last = asyncio.ensure_future(fetch(urls[0]))
            yield from asyncio.wait(tasks + [last])
            yield from asyncio.wait([asyncio.ensure_future(fetch(u)) for u in urls])
        """,
        """\
        import asyncio

        async def main(loop, urls):
            tasks = [loop.create_task(fetch(u)) for u in urls]
            last = asyncio.ensure_future(fetch(urls[0]))
            await asyncio.wait(tasks + [last])
            await asyncio.wait([asyncio.ensure_future(fetch(u)) for u in urls])
        """,
        [],
        id="wait-on-known-tasks-left-alone",
    ),
    pytest.param(
        """\
        from asyncio import coroutine, wait

        @coroutine
        def main(jobs):
            yield from wait(jobs)
        """,
        """\
        from asyncio import wait
        import asyncio

        async def main(jobs):
            await wait({asyncio.ensure_future(f) for f in set(jobs)})
        """,
        [],
        id="wait-imported-by-name-adds-asyncio",
    ),
    pytest.param(
        """\
        import asyncio

        async def main(jobs):
            await asyncio.wait(jobs)
        """,
        """\
        import asyncio

        async def main(jobs):
            await asyncio.wait({asyncio.ensure_future(f) for f in set(jobs)})
        """,
        [],
        id="wait-in-native-code-too",
    ),
    pytest.param(
        """\
        import asyncio

        def schedule(loop, jobs):
            return loop.create_task(asyncio.wait(jobs))
        """,
        None,
        ["LC005"],
        id="wait-not-awaited-is-reported",
    ),
]


@pytest.mark.parametrize(("src", "expected", "codes"), WAIT)
def test_wait(src: str, expected: Optional[str], codes: List[str]) -> None:
    result, found = port(src)
    assert result == d(expected if expected is not None else src)
    assert sorted(found) == sorted(codes)
    assert port(result)[0] == result
    assert port(src, target=(3, 8)) == (result, found)


# Awaitables whose hash is their key, so that the set wait() makes of them has
# one order on every CPython (coroutine objects hash by address, which changes
# from run to run): keys 9, 1 and 17 (and 3, 11, 3) share their slot in a small
# set table, so the order also depends on the order they are added in (the last
# two waits print f, g, h in two orders).
ORDER = '''\
import asyncio


class Job(object):
    def __init__(self, name, key):
        self.name = name
        self.key = key

    def __hash__(self):
        return self.key

    def __await__(self):
        print("start", self.name)
        yield
        print("end", self.name)
        return self.name


@asyncio.coroutine
def main():
    done, _ = yield from asyncio.wait([Job("a", 9), Job("b", 1), Job("c", 17), Job("d", 4),
                                       Job("e", 2)])
    print(sorted(task.result() for task in done))
    yield from asyncio.wait((Job("f", 3), Job("g", 11), Job("h", 3)))
    yield from asyncio.wait((Job("h", 3), Job("g", 11), Job("f", 3)))


loop = asyncio.new_event_loop()
loop.run_until_complete(main())
'''

#: what CPython 3.6 prints (and the port must): the tasks start in the set's order
ORDER_PRINTED = textwrap.dedent("""\
    start b
    start e
    start d
    start a
    start c
    end b
    end e
    end d
    end a
    end c
    ['a', 'b', 'c', 'd', 'e']
    start g
    start h
    start f
    end g
    end h
    end f
    start g
    start f
    start h
    end g
    end f
    end h
    """)


def test_wait_on_a_literal_makes_tasks_in_the_order_3_6_made_them(tmp_path: Path) -> None:
    """The port's set display starts the tasks in the order 3.6's wait() started them.

    A list of the tasks (``[ensure_future(a()), ...]``) would start them in the
    list's order, a, b, c..., which this print-out is not.
    """
    ported, codes = port(ORDER)
    assert codes == []
    assert "for f in {Job(" in ported and "set(" not in ported
    (tmp_path / "ported.py").write_text(ported)
    new = run_script(tmp_path / "ported.py", sys.executable)
    assert new.returncode == 0, new.stderr
    assert new.stdout == ORDER_PRINTED
    try:
        python36 = resolve_python("3.6")
    except LookupError:
        return  # the expected text is what 3.6 printed when this test was written
    (tmp_path / "old.py").write_text(ORDER)
    old = run_script(tmp_path / "old.py", python36.executable)
    assert old.returncode == 0, old.stderr
    assert old.stdout == new.stdout
