"""``async`` and ``await`` used as names (legal before 3.7): renamed across the run (LC019).

One table of rewritten rows and left-alone rows (fixes/async_names.py), the
rule itself against CPython 3.6's own parser where one is installed
(legacy_coro/_oldnames.py), and runs over several files: a keyword in one file
and the parameter in another, a package with a module ``async.py`` and its
importers written, shown as a diff ``git apply`` applies, checked, reported.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port, port_run  # noqa: E402

from legacy_coro._main import main  # noqa: E402
from legacy_coro._oldnames import old_names  # noqa: E402
from legacy_coro.port._pipeline import RunOptions, port_files, port_source  # noqa: E402
from legacy_coro.port import _write  # noqa: E402
from legacy_coro.port._tree import renames_of  # noqa: E402

REWRITTEN = [
    pytest.param(
        """\
        class Bot:
            def __init__(self, config):
                self.async = config.async
        """,
        """\
        class Bot:
            def __init__(self, config):
                self.async_ = config.async_
        """,
        ["LC019"],  # one site a line for each name
        id="attribute",
    ),
    pytest.param(
        """\
        defaults = dict(host='localhost', async=True)
        bot.update(testing=True, async=False)
        """,
        """\
        defaults = dict(host='localhost', async_=True)
        bot.update(testing=True, async_=False)
        """,
        ["LC019", "LC019"],
        id="keyword-argument",
    ),
    pytest.param(
        """\
        def connect(dsn, async=False, *, await=None):
            return async or await
        """,
        """\
        def connect(dsn, async_=False, *, await_=None):
            return async_ or await_
        """,
        ["LC019", "LC019"],
        id="parameters",
    ),
    pytest.param(
        """\
        class Events:
            def async(self):
                return self
            async = 1
        """,
        """\
        class Events:
            def async_(self):
                return self
            async_ = 1
        """,
        ["LC019", "LC019"],
        id="method-and-class-attribute",
    ),
    pytest.param(
        """\
        def await(x):
            return x
        await = await(1)
        """,
        """\
        def await_(x):
            return x
        await_ = await_(1)
        """,
        ["LC019", "LC019"],
        id="function-await",
    ),
    pytest.param(
        """\
        def _private(async=False):
            def inner(await):
                return await
            return (lambda async: async)(inner(async))
        """,
        """\
        def _private(async_=False):
            def inner(await_):
                return await_
            return (lambda async_: async_)(inner(async_))
        """,
        [],
        id="private-and-local-names-no-site",
    ),
    pytest.param(
        """\
        import asyncio
        import asyncio as aio
        t = asyncio.async(f())
        u = aio . async(g())
        """,
        """\
        import asyncio
        import asyncio as aio
        t = asyncio.ensure_future(f())
        u = aio . ensure_future(g())
        """,
        [],
        id="asyncio.async-and-alias",
    ),
    pytest.param(
        """\
        try:
            from asyncio import ensure_future
        except ImportError:
            from asyncio import async as ensure_future
        from asyncio.tasks import async as spawn
        """,
        """\
        try:
            from asyncio import ensure_future
        except ImportError:
            from asyncio import ensure_future
        from asyncio.tasks import ensure_future as spawn
        """,
        [],
        id="from-asyncio-import-async-as",
    ),
    pytest.param(
        """\
        from asyncio import (sleep,
                             async)
        t = async(sleep(1))
        """,
        """\
        from asyncio import (sleep,
                             ensure_future as async_)
        t = async_(sleep(1))
        """,
        ["LC019"],
        id="from-asyncio-import-async",
    ),
    pytest.param(
        """\
        import sys
        import asyncio
        if sys.version_info < (3, 4, 4):
            spawn = asyncio.async
            kw = dict(async=True)
        else:
            spawn = asyncio.ensure_future
        """,
        """\
        import sys
        import asyncio
        if sys.version_info < (3, 4, 4):
            spawn = asyncio.ensure_future
            kw = dict(async_=True)
        else:
            spawn = asyncio.ensure_future
        """,
        [],  # a branch that never runs on the target has no sites
        id="dead-version-branch",
    ),
    pytest.param(
        """\
        import pkg.async
        from pkg.async import AsyncEvents
        from pkg import async as events
        from . import async
        x = pkg.async.AsyncEvents
        """,
        """\
        import pkg.async_
        from pkg.async_ import AsyncEvents
        from pkg import async_ as events
        from . import async_
        x = pkg.async_.AsyncEvents
        """,
        ["LC019", "LC019", "LC019", "LC019", "LC019"],
        id="modules-imported",
    ),
    pytest.param(
        """\
        class C:
            def f(self):
                return f"{self.async!r:>{self.await}} async {d['async']}"

            async def g(self):
                return f"{self.async}" + await h()
        """,
        """\
        class C:
            def f(self):
                return f"{self.async_!r:>{self.await_}} async {d['async']}"

            async def g(self):
                return f"{self.async_}" + await h()
        """,
        ["LC019", "LC019", "LC019"],
        id="f-string-fields",
    ),
    pytest.param(
        '''\
        def extend(bot):
            """Extend a bot.

                >>> IrcBot.defaults.update(async=False,
                ...                        testing=True)
                >>> print('async')
                async
            """
        ''',
        '''\
        def extend(bot):
            """Extend a bot.

                >>> IrcBot.defaults.update(async_=False,
                ...                        testing=True)
                >>> print('async')
                async
            """
        ''',
        [],
        id="doctest-example",
    ),
    pytest.param(
        """\
        __all__ = ['Events', "async"]
        def async(): pass
        """,
        """\
        __all__ = ['Events', "async_"]
        def async_(): pass
        """,
        ["LC019"],
        id="dunder-all",
    ),
    pytest.param(
        """\
        from unittest import mock
        with mock.patch('pkg.asyncio.async', spawn), mock.patch("asyncio.async"):
            pass
        """,
        # (a line over 79 columns now: broken as the file's limit asks)
        """\
        from unittest import mock
        with mock.patch('pkg.asyncio.ensure_future',
                        spawn), mock.patch("asyncio.ensure_future"):
            pass
        """,
        [],
        id="mock-patch-asyncio.async",
    ),
    pytest.param(
        """\
        async_ = 'taken'
        x.async = 1
        """,
        """\
        async_ = 'taken'
        x.async__ = 1
        """,
        ["LC019"],
        id="new-name-free-in-the-file",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def go(self):
            yield from asyncio.async(self.async())
        """,
        """\
        import asyncio

        async def go(self):
            await asyncio.ensure_future(self.async_())
        """,
        ["LC019"],
        id="with-the-port's-other-rewrites",
    ),
]

LEFT_ALONE = [
    pytest.param(
        """\
        x = "self.async(async=1)"  # config.async, dict(async=True)
        y = b'x.async'
        z = getattr(asyncio, 'async')
        w = 'pkg.asyncx'
        """,
        id="strings-and-comments",
    ),
    pytest.param(
        """\
        import asyncio

        async def f(async_iterable, lock):
            async with lock:
                async for x in async_iterable:
                    await asyncio.sleep(0)
            return [y async for y in async_iterable]
        """,
        id="real-coroutine",
    ),
    pytest.param(
        """\
        async def f(g, z):
            return f"async {await g()} {[y async for y in z]} await"
        """,
        id="f-string-keywords-in-a-coroutine",
    ),
    pytest.param(
        """\
        def f(config):
            return config.async_mode, my_async, async_
        """,
        id="names-that-only-start-with-async",
    ),
    pytest.param(
        '''\
        x = f(async=1)
        """
        >>> g(async=2)
        ''',
        id="text-tokenize-cannot-read",
    ),
]


def _sites(src: str) -> List[Tuple[int, str, str]]:
    return [tuple(site) for site in port_source(d(src).encode(), "t.py").sites]


@pytest.mark.parametrize("src, expected, found", REWRITTEN)
def test_rewritten(src: str, expected: str, found: List[str]) -> None:
    result, codes = port(src)
    assert result == d(expected)
    assert codes == found
    compile(result, "t.py", "exec")
    assert port(result) == (result, [])  # the output holds no old name: nothing to do again


@pytest.mark.parametrize("src", LEFT_ALONE)
def test_left_alone(src: str) -> None:
    assert port(src) == (d(src), [])


def test_sites_name_the_new_name() -> None:
    found = _sites("""\
        class Bot:
            def __init__(self, async=False):
                self.async = async
            def async(self): pass
        dict(async=1)
        """)
    assert found == [
        (2, "LC019", "keyword parameter `async` of `Bot.__init__` is now `async_`"),
        (3, "LC019", "attribute `.async` is now `.async_`"),
        (4, "LC019", "method `Bot.async` is now `Bot.async_`"),
        (5, "LC019", "keyword argument `async=` is now `async_=`"),
    ]


# -- the rule, against CPython 3.6 ---------------------------------------------------

#: programs 3.6 compiles; async/await as names and as keywords side by side
PROGRAMS_36 = [
    "x = a.async + b.await\n",
    "def f(async=1, *, await=2):\n    return async, await\n",
    "async def f():\n    await g()\n    async with a as b:\n        async for c in d:\n"
    "            pass\n    return f'{self.async}'\n",
    "def f():\n    async def g():\n        await x\n    async = 1\n    return async\n",
    "async def f():\n    def g():\n        return [x async for x in y]\n",
    "class C:\n    async = 1\n    def await(self, async=None): return f'{async!r:{await}}'\n",
    "import async.await\nfrom . import async\nfrom async import await as async\n",
    "async def f(): return 1\nasync = f\n",
    "x = {'async': 1}; async = x['async']  # async\n",
    'def f():\n    """>>> async"""\n    return f"""{\nasync}"""\n',
]


def _python36() -> str:
    from legacy_coro._compare import resolve_python

    try:
        return resolve_python("3.6").executable
    except LookupError:
        pytest.skip("no CPython 3.6 here to compare the rule with")


def test_rule_matches_cpython_36() -> None:
    """Renaming what old_names finds gives, on 3.6, the same tree with the names renamed."""
    python36 = _python36()
    renamed = []
    for program in PROGRAMS_36:
        lines = program.splitlines(keepends=True)
        for name in reversed(old_names(program)):
            line = lines[name.row - 1]
            lines[name.row - 1] = line[:name.col] + name.word.upper() + line[name.col + 5:]
        renamed.append("".join(lines))
    script = (
        "import ast, json, sys\n"
        "def upper(tree):\n"  # each name field, dotted ones part by part
        "    for node in ast.walk(tree):\n"
        "        if isinstance(node, ast.Str):\n"
        "            continue\n"
        "        for field, value in ast.iter_fields(node):\n"
        "            if isinstance(value, str):\n"
        "                setattr(node, field, '.'.join(p.upper() if p in ('async', 'await')"
        " else p for p in value.split('.')))\n"
        "    return ast.dump(tree)\n"
        "for old, new in json.load(sys.stdin):\n"
        "    same = upper(ast.parse(old)) == ast.dump(ast.parse(new))\n"
        "    print('same' if same else 'differs: ' + repr(old))\n")
    done = subprocess.run([python36, "-c", script], input=json.dumps(
        list(zip(PROGRAMS_36, renamed))), capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["same"] * len(PROGRAMS_36)


def test_fstring_positions_the_same_on_every_version() -> None:
    # before 3.12 an f-string is one STRING token whose fields _oldnames reads itself
    program = 'x = f"""{a.async}\n{ {"k": b.await}["k"]!r:>{c.async}} {d["async"]}"""\n'
    assert [(n.row, n.col, n.word) for n in old_names(program)] == [
        (1, 11, "async"), (2, 10, "await"), (2, 28, "async")]


def test_fstring_fields_in_a_coroutine() -> None:
    # 3.6 read them as names; code for 3.7+ (the port's own output) awaits in them
    program = ('async def f():\n'
               '    return f"{await if x else y} {await g()} {h.await} {[z async for z in w]}"\n')
    assert [(n.row, n.col, n.word) for n in old_names(program)] == [
        (2, 14, "await"), (2, 48, "await")]


# -- runs over several files ----------------------------------------------------------

def test_keyword_in_one_file_parameter_in_another(tmp_path: Path) -> None:
    result = port_run(tmp_path, {
        "lib.py": """\
            class Client:
                def __init__(self, host, async=False):
                    self.async = async
            """,
        "app.py": """\
            from lib import Client
            client = Client('h', async=True)
            print(client.async)
            """,
    })
    assert result["lib.py"][0] == d("""\
        class Client:
            def __init__(self, host, async_=False):
                self.async_ = async_
        """)
    assert result["app.py"][0] == d("""\
        from lib import Client
        client = Client('h', async_=True)
        print(client.async_)
        """)
    namespace: dict = {}
    sys.path.insert(0, str(tmp_path))
    try:
        for name in ("lib.py", "app.py"):
            (tmp_path / name).write_text(result[name][0])
        exec(compile(result["app.py"][0], "app.py", "exec"), namespace)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("lib", None)
    assert namespace["client"].async_ is True


def test_new_name_free_across_the_run(tmp_path: Path) -> None:
    result = port_run(tmp_path, {
        "a.py": "def f(async=False):\n    return async\n",
        "b.py": "from a import f\nf(async=True)\n",
        "c.py": "async_ = 'a name of its own'\n",
    })
    assert result["a.py"][0] == "def f(async__=False):\n    return async__\n"
    assert result["b.py"][0] == "from a import f\nf(async__=True)\n"
    assert result["c.py"][0] == "async_ = 'a name of its own'\n"


PACKAGE = {
    "irc/__init__.py": """\
        DEFAULTS = dict(nick='irc', async=True)
        """,
    "irc/async.py": """\
        import asyncio

        class AsyncEvents:
            def __init__(self, context, async=True):
                self.context = context
                self.async = async

        def spawn(coro):
            return asyncio.async(coro)
        """,
    "irc/plugins/__init__.py": "",
    "irc/plugins/async.py": """\
        from irc.async import AsyncEvents
        from irc import async as events_module

        def setup(bot):
            bot.async = AsyncEvents(bot, async=False)
            return events_module.__name__
        """,
    "main.py": """\
        import irc.async
        from irc.plugins import async
        PLUGINS = ['irc.plugins.async', 'irc.async:spawn', 'async', 'irc.asyncx']

        class Bot:
            pass

        bot = Bot()
        print(async.setup(bot), bot.async.async, irc.async.AsyncEvents(None).async, PLUGINS)
        """,
}


def _tree(root: Path, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(d(text))


def _files(root: Path) -> List[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


def test_package_with_a_module_named_async(tmp_path: Path) -> None:
    _tree(tmp_path, PACKAGE)
    paths = [str(tmp_path / name) for name in sorted(PACKAGE)]
    outcomes = {Path(o.path).relative_to(tmp_path).as_posix(): o
                for o in port_files(paths, RunOptions())}
    assert {name: o.moved and Path(o.moved).relative_to(tmp_path).as_posix()
            for name, o in outcomes.items() if o.moved} == {
        "irc/async.py": "irc/async_.py", "irc/plugins/async.py": "irc/plugins/async_.py"}
    assert (1, "LC019", f"module `irc.async` is now `irc.async_` ({tmp_path}/irc/async_.py)"
            ) in outcomes["irc/async.py"].sites
    main_py = outcomes["main.py"].new.decode()
    assert main_py.startswith(d("""\
        import irc.async_
        from irc.plugins import async_
        PLUGINS = ['irc.plugins.async_', 'irc.async_:spawn', 'async', 'irc.asyncx']
        """))
    assert [site for site in outcomes["main.py"].sites if "string" in site[2]] == [
        (3, "LC019", "the string 'irc.async:spawn' names module `irc.async`: "
                     "now 'irc.async_:spawn'"),
        (3, "LC019", "the string 'irc.plugins.async' names module `irc.plugins.async`: "
                     "now 'irc.plugins.async_'"),
    ]


def _run_main(root: Path) -> str:
    done = subprocess.run([sys.executable, "main.py"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_written_package_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, PACKAGE)
    monkeypatch.chdir(tmp_path)
    assert main(["port", "irc", "main.py"]) == 1
    err = capsys.readouterr().err
    assert "Renaming irc/async.py to irc/async_.py and rewriting it\n" in err
    assert _files(tmp_path) == ["irc/__init__.py", "irc/async_.py", "irc/plugins/__init__.py",
                                "irc/plugins/async_.py", "main.py"]
    assert _run_main(tmp_path) == (
        "irc.async_ False True ['irc.plugins.async_', 'irc.async_:spawn', 'async', "
        "'irc.asyncx']\n")
    assert main(["port", "irc", "main.py"]) == 0  # nothing left to do


def test_package_directory_named_async(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/async/__init__.py": "from .async import run\n",
        "pkg/async/async.py": "def run(async=True):\n    return async\n",
        "main.py": "from pkg.async import run\nprint(run(async=False))\n",
    })
    monkeypatch.chdir(tmp_path)
    assert main(["port", "."]) == 1
    assert _files(tmp_path) == ["main.py", "pkg/__init__.py", "pkg/async_/__init__.py",
                                "pkg/async_/async_.py"]
    assert _run_main(tmp_path) == "False\n"


def test_diff_is_a_rename_git_applies(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    written, applied = tmp_path / "written", tmp_path / "applied"
    for root in (written, applied):
        _tree(root, PACKAGE)
    monkeypatch.chdir(applied)
    assert main(["port", "--diff", "irc", "main.py"]) == 1
    diff = capsys.readouterr().out
    assert "diff --git a/irc/async.py b/irc/async_.py\n" in diff
    assert "rename from irc/async.py\nrename to irc/async_.py\n" in diff
    subprocess.run([git, "init", "-q", "."], check=True)
    subprocess.run([git, "apply"], input=diff.encode(), check=True)
    monkeypatch.chdir(written)
    assert main(["port", "irc", "main.py"]) == 1
    assert _files(applied) == _files(written)
    for name in _files(written):
        assert (applied / name).read_bytes() == (written / name).read_bytes(), name


def test_diff_of_a_move_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/async.py": "X = 1\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["port", "--diff", "pkg"]) == 1
    assert capsys.readouterr().out == (
        "diff --git a/pkg/async.py b/pkg/async_.py\nsimilarity index 100%\n"
        "rename from pkg/async.py\nrename to pkg/async_.py\n")
    assert main(["port", "--check", "pkg"]) == 1
    assert "would rename pkg/async.py to pkg/async_.py\n" in capsys.readouterr().err
    assert main(["port", "--check", "--json", "pkg"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["path"], f.get("moved_to"), f["changed"]) for f in report["files"]] == [
        ("pkg/__init__.py", None, False), ("pkg/async.py", "pkg/async_.py", True)]
    assert report["summary"]["files_changed"] == 1
    assert _files(tmp_path) == ["pkg/__init__.py", "pkg/async.py"]  # nothing written


def test_nothing_written_when_a_file_of_the_run_fails(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, PACKAGE)
    (tmp_path / "broken.py").write_text("import asyncio\n@asyncio.coroutine\ndef f(:\n    yield\n")
    before = {name: (tmp_path / name).read_bytes() for name in _files(tmp_path)}
    monkeypatch.chdir(tmp_path)
    assert main(["port", "."]) == 2
    err = capsys.readouterr().err
    assert "nothing written: the run renames modules (./irc/async.py -> ./irc/async_.py, " in err
    assert "1 file of it not ported or not verified (./broken.py)" in err
    assert "Rewriting" not in err and "Renaming" not in err
    assert {name: (tmp_path / name).read_bytes() for name in _files(tmp_path)} == before


def test_renames_undone_when_one_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    _tree(tmp_path, PACKAGE)
    before = {name: (tmp_path / name).read_bytes() for name in _files(tmp_path)}
    paths = [str(tmp_path / name) for name in sorted(PACKAGE)]
    outcomes = port_files(paths, RunOptions())
    real_rename = os.rename
    calls: List[Tuple[str, str]] = []

    def rename(old: str, new: str) -> None:
        calls.append((old, new))
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied")
        real_rename(old, new)

    monkeypatch.setattr(_write.os, "rename", rename)
    wanted = [i for i, o in enumerate(outcomes) if o.new is not None]
    written, problem = _write.write(outcomes, wanted, None)
    assert written == set()
    assert problem is not None and problem.endswith(": Permission denied")
    assert calls[2] == (calls[0][1], calls[0][0])  # the first rename undone
    assert {name: (tmp_path / name).read_bytes() for name in _files(tmp_path)} == before
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".legacy-coro")]


def test_new_name_avoids_a_module_already_there(tmp_path: Path) -> None:
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/async.py": "X = 1\n",
                     "pkg/async_.py": "Y = 2\n", "use.py": "from pkg.async import X\n"})
    outcomes = port_files([str(tmp_path / "pkg" / "async.py"), str(tmp_path / "use.py")],
                          RunOptions())
    assert [o.moved and Path(o.moved).name for o in outcomes] == ["async__.py", None]
    assert outcomes[1].new == b"from pkg.async__ import X\n"


def test_renames_of_moves_deepest_first() -> None:
    join = os.path.join
    moves: Sequence[Tuple[str, str]] = [
        (join("a", "async", "b", "async.py"), join("a", "async_", "b", "async_.py")),
        (join("a", "async", "x.py"), join("a", "async_", "x.py")),
    ]
    assert renames_of(moves) == [
        (join("a", "async", "b", "async.py"), join("a", "async", "b", "async_.py")),
        (join("a", "async"), join("a", "async_")),
    ]


def test_old_names_are_what_todays_parser_refuses() -> None:
    # what old_names finds is exactly what keeps today's parser from reading the program
    for program in PROGRAMS_36:
        if old_names(program):
            with pytest.raises(SyntaxError):
                ast.parse(program)
        lines = program.splitlines(keepends=True)
        for name in reversed(old_names(program)):
            line = lines[name.row - 1]
            lines[name.row - 1] = line[:name.col] + name.word + "_" + line[name.col + 5:]
        ast.parse("".join(lines))


def test_verify_runs_the_port_with_its_modules_renamed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    files = {name: text for name, text in PACKAGE.items() if name != "main.py"}
    files["main.py"] = """\
        import irc.async
        from irc.plugins import async

        class Bot:
            pass

        bot = Bot()
        async.setup(bot)
        print(bot.async.async, irc.async.AsyncEvents(None).async, irc.DEFAULTS['nick'])
        """
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    assert main(["port", "--verify", "irc", "main.py"]) == 1
    err = capsys.readouterr().err
    # each side runs in its own copy: the original under the layer, the port with its
    # modules renamed (irc/async.py ran as python -m irc.async_)
    assert err.count(": verify: same transcript") == 4, err
    assert "Renaming irc/plugins/async.py to irc/plugins/async_.py and rewriting it\n" in err
    assert _files(tmp_path) == ["irc/__init__.py", "irc/async_.py", "irc/plugins/__init__.py",
                                "irc/plugins/async_.py", "main.py"]
    assert _run_main(tmp_path) == "False True irc\n"
