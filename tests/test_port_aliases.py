"""asyncio reached through another module of the run (``from .compat import asyncio``).

Old packages kept their version shims in a module of their own and imported
asyncio (or its decorator) from there.  The port resolves those names through
the run, and ports what they name as if asyncio were imported directly; a
name the run cannot see stays unknown, as before.
"""

from pathlib import Path
from typing import Dict, List

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port_run  # noqa: E402

COMPAT = """\
    try:
        import asyncio
    except ImportError:
        import trollius as asyncio
    from asyncio import coroutine
    """

RUNS = [
    pytest.param(
        {"pkg/__init__.py": "", "pkg/compat.py": COMPAT, "pkg/app.py": """\
            from .compat import asyncio


            @asyncio.coroutine
            def work(loop):
                lock = asyncio.Lock(loop=loop)
                with (yield from lock):
                    yield from asyncio.sleep(0, loop=loop)
                return asyncio.Task.current_task()
            """},
        {"pkg/app.py": """\
            from .compat import asyncio


            async def work(loop):
                lock = asyncio.Lock()
                async with lock:
                    await asyncio.sleep(0)
                return asyncio.current_task()
            """},
        {},
        id="module-reexporting-asyncio",
    ),
    pytest.param(
        {"pkg/__init__.py": "", "pkg/compat.py": COMPAT, "pkg/app.py": """\
            from . import compat
            from .compat import coroutine


            @coroutine
            def work():
                yield from compat.asyncio.sleep(0)
            """},
        {"pkg/app.py": """\
            from . import compat


            async def work():
                await compat.asyncio.sleep(0)
            """},
        {},
        id="reexported-decorator",
    ),
    pytest.param(
        {"app.py": """\
            from shims import asyncio


            @asyncio.coroutine
            def work():
                yield from asyncio.sleep(0)
            """},
        {},
        {},
        id="a-module-outside-the-run-stays-unknown",
    ),
    pytest.param(
        {"pkg/__init__.py": "", "pkg/compat.py": "asyncio = object()\n", "pkg/app.py": """\
            from .compat import asyncio


            @asyncio.coroutine
            def work():
                yield from asyncio.sleep(0)
            """},
        {},
        {},
        id="a-name-that-is-not-asyncio-there",
    ),
]


@pytest.mark.parametrize(("files", "expected", "codes"), RUNS)
def test_aliases(tmp_path: Path, files: Dict[str, str], expected: Dict[str, str],
                 codes: Dict[str, List[str]]) -> None:
    result = port_run(tmp_path, files)
    assert {name: text for name, (text, _) in result.items()} == {
        name: d(expected.get(name, text)) for name, text in files.items()}
    assert {name: found for name, (_, found) in result.items() if found} == codes
