"""``Task.all_tasks()`` / ``Task.current_task()`` (removed in 3.9) answer as they did."""

from pathlib import Path
from typing import List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port, prints_as_on_36  # noqa: E402

from legacy_coro.port.fixes.all_tasks import HELPER_CODE  # noqa: E402
from legacy_coro.port.fixes.get_event_loop import HELPER_CODE as LOOP_CODE  # noqa: E402

TASKS = "\n\n\n" + HELPER_CODE.format(name="_legacy_all_tasks") + "\n\n"
LOOP = "\n\n\n" + LOOP_CODE.format(name="_legacy_get_event_loop") + "\n\n"

ROWS = [
    pytest.param(
        "import asyncio\n\n\nasync def f():\n    return asyncio.Task.current_task()\n",
        "import asyncio\n\n\nasync def f():\n    return asyncio.current_task()\n",
        [], id="current-task-in-a-coroutine"),
    pytest.param(
        "import asyncio\n\n\ndef f(loop):\n    return asyncio.Task.current_task(loop=loop)\n",
        "import asyncio\n\n\ndef f(loop):\n    return asyncio.current_task(loop)\n",
        [], id="current-task-of-a-loop"),
    pytest.param(
        "import asyncio\n\n\ndef f():\n    return asyncio.Task.current_task()\n",
        "import asyncio" + LOOP + "def f():\n"
        "    return asyncio.current_task(_legacy_get_event_loop())\n",
        [], id="current-task-outside-a-coroutine"),
    pytest.param(
        "from asyncio import Task\n\n\nasync def f():\n    return Task.all_tasks()\n",
        "import asyncio" + TASKS + "async def f():\n"
        "    return _legacy_all_tasks(asyncio.get_running_loop())\n",
        ["LC020"], id="all-tasks-in-a-coroutine"),
    pytest.param(
        "import asyncio\n\n\ndef f(loop):\n    return asyncio.Task.all_tasks(loop)\n",
        TASKS.lstrip("\n") + "def f(loop):\n    return _legacy_all_tasks(loop)\n",
        ["LC020"], id="all-tasks-of-a-loop"),  # asyncio was imported for that call only
    pytest.param(
        "import asyncio\n\nevery = asyncio.Task.all_tasks\n",
        None, ["LC013"], id="named-not-called-is-an-error"),
    pytest.param(
        "import asyncio\n\n\ndef f(*args):\n    return asyncio.Task.all_tasks(*args)\n",
        None, ["LC013"], id="a-call-it-cannot-read"),
]


@pytest.mark.parametrize(("src", "expected", "codes"), ROWS)
def test_all_tasks(src: str, expected: Optional[str], codes: List[str]) -> None:
    result, found = port(src)
    assert result == (expected if expected is not None else src)
    assert found == codes
    assert port(result)[0] == result


PROGRAM = d("""\
    import asyncio


    @asyncio.coroutine
    def child(n):
        yield from asyncio.sleep(0)
        return n


    @asyncio.coroutine
    def main(loop):
        current = asyncio.Task.current_task()
        kept = [asyncio.ensure_future(child(n)) for n in range(3)]
        yield from asyncio.wait(kept)
        print("me:", current in asyncio.Task.all_tasks())
        print("tasks:", len(asyncio.Task.all_tasks(loop)), "known")
        print("done:", sum(t.done() for t in asyncio.Task.all_tasks(loop)))


    loop = asyncio.new_event_loop()
    loop.run_until_complete(main(loop))
    print("outside:", asyncio.Task.current_task(loop=loop))
    loop.close()
    """)


def test_helper_answers_as_36_did(tmp_path: Path) -> None:
    printed, _ = prints_as_on_36(tmp_path, PROGRAM, "tasks.py")
    assert "tasks: 4 known" in printed  # finished tasks count: the point of the helper
