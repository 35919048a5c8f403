"""What a decorated function that never yields returns: when the port knows it is not awaitable.

3.10's ``@asyncio.coroutine`` awaited the result of such a function when it was
a future, a generator or another awaitable.  ``async def`` returns it as it
is, so the port converts the function plainly only where every returned value
is known not to be awaitable: a literal and the like, a call of a plain
function of the run whose every returned value is known not to be, a local
name every assignment of which is one of those.  Each construct has a row
where the port proves it and a row where it cannot.
"""

import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port, port_run  # noqa: E402

from legacy_coro.port._pipeline import port_source  # noqa: E402
from legacy_coro.port.fixes.result_helper import RESULT_HELPER_CODE  # noqa: E402


PLUGIN = """\
    import asyncio


    class BaseAuthPlugin:
        def __init__(self, config):
            self.auth_config = config

        def authenticate(self, *args, **kwargs):
            if not self.auth_config:
                return False
            return True


    class AnonymousAuthPlugin(BaseAuthPlugin):
        @asyncio.coroutine
        def authenticate(self, *args, **kwargs):
            authenticated = super().authenticate(*args, **kwargs)
            if authenticated:
                session = kwargs.get('session', None)
                authenticated = True if session.username else False
            return authenticated
    """

# (source, expected or None for "unchanged", codes)
PROOFS = [
    pytest.param(
        PLUGIN,
        """\
        class BaseAuthPlugin:
            def __init__(self, config):
                self.auth_config = config

            def authenticate(self, *args, **kwargs):
                if not self.auth_config:
                    return False
                return True


        class AnonymousAuthPlugin(BaseAuthPlugin):
            async def authenticate(self, *args, **kwargs):
                authenticated = super().authenticate(*args, **kwargs)
                if authenticated:
                    session = kwargs.get('session', None)
                    authenticated = True if session.username else False
                return authenticated
        """,
        [],
        id="local-set-from-super-and-literals",
    ),
    pytest.param(
        PLUGIN.replace("                return False\n",
                       "                return self.auth_config\n"),
        None,
        ["LC001"],
        id="super-may-return-an-attribute",
    ),
    pytest.param(
        """\
        import asyncio

        def label(n):
            return "many" if n > 1 else str(n)

        def depth(n):
            return depth(n - 1) if n else 0

        @asyncio.coroutine
        def describe(n):
            if n < 0:
                return not n
            return label(n) or depth(n)
        """,
        """\
        def label(n):
            return "many" if n > 1 else str(n)

        def depth(n):
            return depth(n - 1) if n else 0

        async def describe(n):
            if n < 0:
                return not n
            return label(n) or depth(n)
        """,
        [],
        id="module-functions-and-recursion",
    ),
    pytest.param(
        """\
        import asyncio

        def first(items):
            return items[0]

        @asyncio.coroutine
        def head(items):
            return first(items)
        """,
        None,
        ["LC001"],
        id="a-function-returning-what-it-was-given",
    ),
    pytest.param(
        """\
        import asyncio
        import functools

        @functools.lru_cache()
        def label(n):
            return str(n)

        @asyncio.coroutine
        def describe(n):
            return label(n)
        """,
        None,
        ["LC001"],
        id="a-decorated-callee-may-return-anything",
    ),
    pytest.param(
        """\
        import asyncio

        class Reader:
            def size(self):
                return 0

            @classmethod
            def kind(cls):
                return "reader"

            @asyncio.coroutine
            def length(self):
                return self.size()

            @asyncio.coroutine
            def describe(self):
                return self.kind()
        """,
        """\
        class Reader:
            def size(self):
                return 0

            @classmethod
            def kind(cls):
                return "reader"

            async def length(self):
                return self.size()

            async def describe(self):
                return self.kind()
        """,
        [],
        id="methods-through-self",
    ),
    pytest.param(
        """\
        import asyncio

        class Reader:
            def size(self):
                return 0

            @asyncio.coroutine
            def length(self):
                return self.size()

        class FutureReader(Reader):
            def size(self):
                return asyncio.sleep(0, result=0)
        """,
        None,
        ["LC001"],
        id="an-override-in-a-subclass-may-return-an-awaitable",
    ),
    pytest.param(
        """\
        import asyncio

        def numbers():
            yield 1

        @asyncio.coroutine
        def wrapped():
            return numbers()
        """,
        None,
        ["LC001"],
        id="a-generator-function-is-no-plain-function",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def counted(items):
            total = 0
            for total in items:
                pass
            return total
        """,
        None,
        ["LC001"],
        id="a-local-bound-otherwise-than-by-assignment",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def last(loop):
            value = None

            def set_value(new):
                nonlocal value
                value = new

            loop.call_soon(set_value, loop.create_future())
            return value
        """,
        None,
        ["LC001"],
        id="a-local-an-inner-function-rebinds",
    ),
    pytest.param(
        """\
        import asyncio

        def f0():
            return 0
        """ + "".join(f"""
        def f{n}():
            return f{n - 1}()
        """ for n in range(1, 11)) + """
        @asyncio.coroutine
        def top():
            return f10()
        """,
        None,
        ["LC001"],
        id="deeper-than-the-depth-limit",
    ),
]


@pytest.mark.parametrize(("src", "expected", "codes"), PROOFS)
def test_proof(src: str, expected: Optional[str], codes: List[str]) -> None:
    """Proven: converted plainly.  Not: the helper (LC018), or legacy_coro (LC001)."""
    result, found = port(src)
    kept, kept_codes = port(src, result_helper=False)
    if expected is not None:
        assert (result, found) == (d(expected), codes) == (kept, kept_codes)
    else:
        assert codes == ["LC001"]
        assert found == ["LC018"]
        assert result.count("\nclass _LegacyCoroResult:\n") == 1
        code = "\n".join(line for line in result.splitlines() if not line.startswith("#"))
        assert code.count("return await _LegacyCoroResult(") == 1
        assert "coroutine" not in code
        assert kept_codes == ["LC001"]
        assert kept.count("@coroutine\n") == d(src).count("@asyncio.coroutine\n")
        assert "_LegacyCoroResult" not in kept
    assert port(result) == (result, [])
    assert port(kept, result_helper=False) == (kept, kept_codes)


def test_proof_across_modules(tmp_path: Path) -> None:
    files = {
        "labels.py": """\
            def label(n):
                return "many" if n > 1 else str(n)
            """,
        "app.py": """\
            import asyncio
            from labels import label

            @asyncio.coroutine
            def describe(n):
                text = label(n)
                return text
            """,
    }
    result = port_run(tmp_path, files)
    assert result["app.py"] == (d("""\
        from labels import label

        async def describe(n):
            text = label(n)
            return text
        """), [])


WRAPS = [
    pytest.param("from functools import wraps", "wraps", id="from-functools-import-wraps"),
    pytest.param("import functools", "functools.wraps", id="functools.wraps"),
    pytest.param("from functools import wraps as keep", "keep", id="an-alias"),
]


@pytest.mark.parametrize(("imported", "spelt"), WRAPS)
def test_wraps_is_transparent(imported: str, spelt: str) -> None:
    src = f"""\
        import asyncio
        {imported}

        def connected(func):
            @asyncio.coroutine
            @{spelt}(func)
            def wrapper(self, *args):
                return (yield from func(self, *args))
            return wrapper
        """
    result, codes = port(src)
    assert result == d(f"""\
        {imported}

        def connected(func):
            @{spelt}(func)
            async def wrapper(self, *args):
                return await func(self, *args)
            return wrapper
        """)
    assert codes == []


def test_another_decorator_below_coroutine_is_still_left() -> None:
    src = """\
        import asyncio
        from mylib import wraps

        def connected(func):
            @asyncio.coroutine
            @wraps(func)
            def wrapper(self, *args):
                return (yield from func(self, *args))
            return wrapper
        """
    result, codes = port(src)
    assert codes == ["LC012"]
    assert "@coroutine\n    @wraps(func)\n    def wrapper" in result


# -- the helper does with each kind of result what 3.10's decorator did -------------

KINDS = """\
import asyncio
import sys
import types

events = []


class Awaitable:
    def __await__(self):
        events.append("Awaitable.__await__ runs")
        yield
        return "from __await__"


class InstanceAwait:
    def __init__(self):
        self.__await__ = lambda: iter(())

    def __repr__(self):
        return "InstanceAwait()"


class FutureLike:
    _asyncio_future_blocking = False

    def __init__(self, loop):
        self.fut = loop.create_future()
        loop.call_soon(self.fut.set_result, "from a future-like")

    def __iter__(self):
        return self.fut.__iter__()


class Plain:
    def __repr__(self):
        return "Plain()"


def plain_generator():
    events.append("generator runs")
    yield
    return "from a plain generator"


def generator_yielding_a_value():
    yield 1
    return "never"


@types.coroutine
def legacy():
    events.append("legacy coroutine runs")
    yield
    return "from a legacy coroutine"


async def native():
    events.append("native coroutine runs")
    await asyncio.sleep(0)
    return "from a native coroutine"


def failing():
    raise KeyError("from the function")


def make(kind, loop):
    if kind == "future":
        fut = loop.create_future()
        loop.call_soon(fut.set_result, "from a future")
        return fut
    if kind == "done future":
        fut = loop.create_future()
        fut.set_result("from a done future")
        return fut
    if kind == "failed future":
        fut = loop.create_future()
        loop.call_soon(fut.set_exception, ValueError("from a future"))
        return fut
    if kind == "task":
        return loop.create_task(native())
    if kind == "future-like":
        return FutureLike(loop)
    if kind == "native coroutine":
        return native()
    if kind == "legacy coroutine":
        return legacy()
    if kind == "plain generator":
        return plain_generator()
    if kind == "generator yielding a value":
        return generator_yielding_a_value()
    if kind == "object with __await__":
        return Awaitable()
    if kind == "__await__ on the instance only":
        return InstanceAwait()
    if kind == "plain value":
        return Plain()
    if kind == "a raising call":
        return failing()
    return None


@asyncio.coroutine
def returns(kind, loop):
    return make(kind, loop)


async def observe(kind, loop):
    loop.call_soon(events.append, "a callback")  # runs first if returns() suspends
    try:
        result = repr(await returns(kind, loop))
    except Exception as exc:
        result = "{}: {}".format(type(exc).__name__, exc)
    events.append("returned")
    return result


for kind in sys.argv[1:]:
    loop = asyncio.new_event_loop()
    del events[:]
    result = loop.run_until_complete(observe(kind, loop))
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    print("{} -> {} {}".format(kind, result, events))
"""

KIND_NAMES = ["future", "done future", "failed future", "task", "future-like",
              "native coroutine", "legacy coroutine", "plain generator",
              "generator yielding a value", "object with __await__",
              "__await__ on the instance only", "plain value", "None", "a raising call"]


def _run_kinds(python: str, script: Path, *args: str) -> str:
    done = subprocess.run([python, "-W", "ignore", *args, str(script), *KIND_NAMES],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == len(KIND_NAMES), done.stdout
    return done.stdout


def _python(version: str) -> str:
    from legacy_coro._compare import resolve_python

    try:
        return resolve_python(version).executable
    except LookupError:
        pytest.skip(f"no Python {version} here (pyenv install {version})")


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    """The program, its port (default target) and its port for 3.6+."""
    directory = tmp_path_factory.mktemp("kinds")
    scripts = {"original": directory / "original.py"}
    scripts["original"].write_text(KINDS)
    for name, target in (("ported", (3, 8)), ("ported36", (3, 6))):
        result = port_source(KINDS.encode(), "kinds.py", target=target)
        assert [(s.code, s.detail) for s in result.sites] == [("LC018", "returns")]
        scripts[name] = directory / f"{name}.py"
        scripts[name].write_bytes(result.source)
    return scripts


@pytest.fixture(scope="module")
def as_in_310(kinds: Dict[str, Path]) -> str:
    """What 3.10's own @asyncio.coroutine did with each kind of result."""
    return _run_kinds(_python("3.10"), kinds["original"])


def test_the_port_uses_the_helper_and_nothing_else(kinds: Dict[str, Path]) -> None:
    ported = kinds["ported"].read_text()
    assert "async def returns(kind, loop):\n    return await _LegacyCoroResult(make(kind, loop))"\
        in ported
    assert "legacy_coro" not in ported.replace("legacy-coro port", "")
    assert ported.replace(RESULT_HELPER_CODE.format(name="_LegacyCoroResult") + "\n\n", "") == \
        KINDS.replace("@asyncio.coroutine\ndef returns(kind, loop):\n    return make(kind, loop)",
                      "async def returns(kind, loop):\n"
                      "    return await _LegacyCoroResult(make(kind, loop))").replace(
            "import types\n\n", "import types\n\n\n")


def test_helper_does_what_310_did_here(kinds: Dict[str, Path], as_in_310: str) -> None:
    """The port on the running Python: each result awaited (or not) as 3.10 did, in order."""
    assert _run_kinds(sys.executable, kinds["ported"]) == as_in_310


def test_legacy_coro_run_agrees(kinds: Dict[str, Path], as_in_310: str) -> None:
    """The original under the compat layer here (legacy_coro's own decorator) agrees too."""
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", "legacy_coro", "run",
                           str(kinds["original"]), *KIND_NAMES],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == as_in_310


@pytest.mark.parametrize(("version", "script"), [
    ("3.6", "ported36"), ("3.7", "ported36"), ("3.8", "ported"), ("3.13", "ported")])
def test_helper_does_what_310_did_on(kinds: Dict[str, Path], as_in_310: str, version: str,
                                     script: str) -> None:
    """The oldest Python the helper promises (3.6 with --py36-plus, 3.8), and 3.13."""
    assert _run_kinds(_python(version), kinds[script]) == as_in_310


HELPER = RESULT_HELPER_CODE.format(name="_LegacyCoroResult")


def test_only_the_values_not_known_are_wrapped() -> None:
    src = """\
        import asyncio

        @asyncio.coroutine
        def find(self, row):
            if not row:
                return None
            if row[0] == "text":
                return "{}".format(row[1])
            return (
                self.load(row[0])
            )
        """
    result, codes = port(src)
    assert result == HELPER + d("""\


        async def find(self, row):
            if not row:
                return None
            if row[0] == "text":
                return "{}".format(row[1])
            return await _LegacyCoroResult(self.load(row[0]))
        """)
    assert codes == ["LC018"]
    assert port(result) == (result, [])


def test_helper_added_once_and_reused() -> None:
    src = """\
        \"\"\"A module.\"\"\"
        import asyncio
        import pickle


        class Store:
            @asyncio.coroutine
            def find(self, row):
                return pickle.loads(row)

            @asyncio.coroutine
            def read(self, n):
                return self.stream.read(n)
        """
    result, codes = port(src)
    assert codes == ["LC018", "LC018"]
    assert result.startswith('"""A module."""\nimport pickle\n\n\n# Added by legacy-coro port')
    assert result.count("\nclass _LegacyCoroResult:\n") == 1
    # Ported again with one more function: the class the first port added is used.
    more = result + ("\n\nimport asyncio\n\n\n@asyncio.coroutine\ndef more(x):\n"
                     "    return x.get()\n")
    again, again_codes = port(more)
    assert again_codes == ["LC018"]
    assert again.count("\nclass _LegacyCoroResult:\n") == 1
    assert again.endswith("async def more(x):\n    return await _LegacyCoroResult(x.get())\n")


def test_helper_name_taken() -> None:
    src = """\
        import asyncio

        _LegacyCoroResult = None

        @asyncio.coroutine
        def f(x):
            return x.get()
        """
    result, codes = port(src)
    assert codes == ["LC018"]
    assert "\nclass _LegacyCoroResult2:\n" in result
    assert result.endswith("async def f(x):\n    return await _LegacyCoroResult2(x.get())\n")
    assert "_LegacyCoroResult = None\n" in result


def test_refused_for_another_reason_no_helper() -> None:
    src = """\
        import asyncio

        @asyncio.coroutine
        def f(x):
            if x:
                return x.get()
            yield 1
        """
    result, codes = port(src)
    assert codes == ["LC002"]
    assert "_LegacyCoroResult" not in result
    assert "@coroutine\ndef f(x):\n    if x:\n        return x.get()\n" in result


def test_helper_for_py36_plus_compiles_there() -> None:
    result, codes = port(KINDS, target=(3, 6))
    assert codes == ["LC018"]
    assert "legacy_coro" not in result.replace("legacy-coro port", "")
    compile(result, "kinds.py", "exec")


def test_no_site_in_the_helper_itself_and_the_users_await_converts() -> None:
    src = """\
        import asyncio

        TIMEOUT = asyncio.TimeoutError

        class Aw:
            def __init__(self, coro):
                self.coro = coro

            def __await__(self):
                return (yield from self.coro)

        @asyncio.coroutine
        def f(loop):
            yield from asyncio.sleep(0)
            return loop.create_future()
        """
    result, codes = port(src)
    assert codes == []  # Aw.__await__ awaits self.coro now: a coroutine the run converts
    assert "async def __await_impl__(self):\n        return await self.coro\n" in result
    assert "\nclass _LegacyCoroResult:\n" not in result  # f yields: no helper
    helped, helped_codes = port(src.replace("yield from asyncio.sleep(0)\n", ""))
    assert sorted(helped_codes) == ["LC018"]
    assert port(helped) == (helped, [])  # nothing reported inside the helper, nor converted


def test_helper_goes_after_the_imports_before_its_first_use() -> None:
    src = """\
        \"\"\"Streams.\"\"\"

        __all__ = ["open"]

        import asyncio
        import socket

        LIMIT = 2 ** 16


        @asyncio.coroutine
        def open(loop):
            return loop.create_connection(socket.socket)

        import late
        """
    result, codes = port(src)
    assert codes == ["LC018"]
    before, helper_and_after = result.split("# Added by legacy-coro port", 1)
    assert before == d('''\
        """Streams."""

        __all__ = ["open"]

        import socket


        ''')
    assert helper_and_after.endswith(d("""\
                return res


        LIMIT = 2 ** 16


        async def open(loop):
            return await _LegacyCoroResult(loop.create_connection(socket.socket))

        import late
        """))


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs 3.10")
def test_a_local_a_match_case_binds_is_not_known() -> None:
    src = """\
        import asyncio

        @asyncio.coroutine
        def pick(command):
            found = None
            match command:
                case [found]:
                    pass
            return found
        """
    assert port(src)[1] == ["LC018"]
    assert port(src.replace("case [found]", "case [other]"))[1] == []
