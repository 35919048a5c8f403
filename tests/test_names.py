"""``async`` and ``await`` as names, as 3.6 read them, under the layer.

Unit tests of the tokenizer rule (legacy_coro._rewrite.hide_names) beside
whole programs: an old package with a module named ``async``, keyword
arguments, parameters, members, ``from asyncio import async``, in branches that
never run too, run under ``legacy-coro run`` and compared with what 3.6 printed
(written down here; tests/test_held_out.py runs 3.6's own recorded output).
"""

import ast
import os
import subprocess
import sys
import textwrap

import pytest

import legacy_coro
from legacy_coro._compile import compile_snippet
from legacy_coro._rewrite import hide_names, parse_source, wanted

PACKAGE_DIR = os.path.dirname(os.path.abspath(legacy_coro.__file__))


def _names(source):
    """Return the names 3.6 read as names, as ``(line, column, name)``."""
    text, placeholders = hide_names(textwrap.dedent(source))
    found = []
    original = textwrap.dedent(source).splitlines()
    for number, (old, new) in enumerate(zip(original, text.splitlines()), 1):
        for column, (a, b) in enumerate(zip(old, new)):
            if a != b and (column == 0 or old[column - 1] == new[column - 1]):
                found.append((number, column, placeholders[new[column:column + 5]]))
    return found


@pytest.mark.parametrize("source, expected", [
    pytest.param("asyncio.async(x)\n", [(1, 8, "async")], id="attribute"),
    pytest.param("dict(a=1, async=True)\n", [(1, 10, "async")], id="keyword-argument"),
    pytest.param("def f(self, async=False):\n    return async\n",
                 [(1, 12, "async"), (2, 11, "async")], id="parameter"),
    pytest.param("class C:\n    async = 1\n    def await(self):\n        pass\n",
                 [(2, 4, "async"), (3, 8, "await")], id="members"),
    pytest.param("from asyncio import async as spawn\n", [(1, 20, "async")],
                 id="from-import"),
    pytest.param("import pkg.async\nfrom pkg.async import X\nfrom pkg import async\n",
                 [(1, 11, "async"), (2, 9, "async"), (3, 16, "async")], id="modules"),
    pytest.param("if False:\n    from asyncio import async\n", [(2, 24, "async")],
                 id="dead-branch"),
    pytest.param("await = 1\nprint(await)\n", [(1, 0, "await"), (2, 6, "await")],
                 id="await-name"),
    pytest.param("async def f():\n    await g()\n    async with x:\n        pass\n", [],
                 id="native-keywords"),
    pytest.param("async def f():\n    return 1\nawait = 2\n", [(3, 0, "await")],
                 id="after-a-one-line-async-def"),
    pytest.param("async def f():\n    def g():\n        await x\n    return 1\nx.await\n",
                 [(5, 2, "await")], id="nested-def-inside-async-def"),
    pytest.param("@dec\nasync def f(): await g()\ny.async\n", [(3, 2, "async")],
                 id="decorated-one-liner"),
    pytest.param("x = 'asyncio.async(y)'  # async = 1\n", [], id="strings-and-comments"),
])
def test_the_names_36_read_as_names(source, expected):
    assert _names(source) == expected


def test_what_is_parsed_has_the_real_names_at_the_real_positions():
    source = "from pkg.async import async as await_\nconfig.async = dict(async=1)\n"
    tree, renamed = parse_source(source, "old.py")
    assert renamed
    dumped = ast.dump(tree)
    assert "__" not in dumped.replace("__main__", "")  # no placeholder left
    imp = tree.body[0]
    assert (imp.module, imp.names[0].name, imp.names[0].asname) == ("pkg.async", "async",
                                                                    "await_")
    target = tree.body[1].targets[0]
    assert (target.attr, target.lineno, target.col_offset) == ("async", 2, 0)


def test_a_syntax_error_shows_the_line_as_written():
    with pytest.raises(SyntaxError) as info:
        parse_source("config.async = (\n", "old.py")
    assert info.value.text.startswith("config.async = (")
    assert info.value.filename == "old.py"


@pytest.mark.parametrize("source, expected", [
    (b"x.async\n", True), (b"f(async=1)\n", True), (b"def async(): pass\n", True),
    (b"from pkg import async\n", True), (b"return async or x\n", True),
    (b"await = 3\n", True), (b"async def f():\n    await g()\n", False),
    (b"# an async function\n", False), (b"await self.close()\n", False),
])
def test_the_pre_check_sees_names(source, expected):
    assert wanted(source) is expected


def test_doctest_examples_compile_with_old_names():
    code = compile_snippet("d = dict(async=False)\n", "<doctest>", "single")
    namespace = {}
    exec(code, namespace)
    assert namespace["d"] == {"async": False}
    with pytest.raises(SyntaxError):  # a real error stays an error
        compile_snippet("d = dict(async=\n", "<doctest>", "single")
    assert compile_snippet("1 + 1", "<doctest>", "eval").co_filename == "<doctest>"


PACKAGE_INIT = ""
ASYNC_MODULE = '''
"""A module named async, as irc3 0.9.8 had one (irc3/async.py)."""


class AsyncEvents(object):
    def __init__(self, async=True):
        self.async = async

    def await(self, x):
        return x + 1


def async(x):
    raise ValueError("from async %r" % (x,))
'''
PROGRAM = '''
import asyncio
import sys
if sys.version_info < (3, 4, 4):
    from asyncio import async as ensure_future   # never runs on 3.6 either
else:
    ensure_future = getattr(asyncio, 'ensure_future')
from asyncio import async as spawn
import pkg.async
from pkg.async import AsyncEvents
from pkg import async as amod

config = dict(host='irc', async=True)
events = AsyncEvents(async=False)
print(config['async'], events.async, events.await(1), pkg.async.__name__, amod.__name__)
print(AsyncEvents.await.__qualname__, amod.async.__name__, repr(AsyncEvents)[:31])
print(sorted(name for name in sys.modules if name.split('.')[0] == 'pkg'))


@asyncio.coroutine
def hello(loop):
    yield from asyncio.sleep(0, loop=loop)
    return 'hello'

loop = asyncio.new_event_loop()
print(loop.run_until_complete(spawn(hello(loop), loop=loop)))
loop.close()
amod.async(config['async'])
'''
EXPECTED_OUT = (
    "True False 2 pkg.async pkg.async\n"
    "AsyncEvents.await async <class 'pkg.async.AsyncEvents'>\n"
    "['pkg', 'pkg.async']\n"
    "hello\n"
)


def test_an_old_package_with_a_module_named_async(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(PACKAGE_INIT)
    (tmp_path / "pkg" / "async.py").write_text(ASYNC_MODULE)
    (tmp_path / "prog.py").write_text(PROGRAM)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(PACKAGE_DIR))
    env.pop("LEGACY_CORO_REPORT", None)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "legacy_coro", "run", "prog.py"],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=120, env=env)
    assert done.stdout == EXPECTED_OUT
    # the traceback names the real module and function, and shows the lines as written
    assert done.stderr.endswith(
        'amod.async(config[\'async\'])\n'
        f'  File "{tmp_path / "pkg" / "async.py"}", line 14, in async\n'
        '    raise ValueError("from async %r" % (x,))\n'
        "ValueError: from async True\n"), done.stderr
    plain = subprocess.run([sys.executable, "prog.py"], cwd=str(tmp_path),
                           capture_output=True, text=True, timeout=60, env=env)
    assert plain.returncode == 1 and "SyntaxError" in plain.stderr


def test_a_module_that_opts_out_keeps_the_interpreters_error(tmp_path):
    (tmp_path / "optout.py").write_text(
        '"""LEGACY_CORO_DONT_REWRITE"""\nconfig = dict(async=True)\n')
    (tmp_path / "prog.py").write_text("import optout\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(PACKAGE_DIR))
    done = subprocess.run([sys.executable, "-m", "legacy_coro", "run", "prog.py"],
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
                          env=env)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith("SyntaxError"), done.stderr
