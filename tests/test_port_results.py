"""What a decorated function that never yields returns: when the port knows it is not awaitable.

3.10's ``@asyncio.coroutine`` awaited the result of such a function when it was
a future, a generator or another awaitable.  ``async def`` returns it as it
is, so the port converts the function plainly only where every returned value
is known not to be awaitable: a literal and the like, a call of a plain
function of the run whose every returned value is known not to be, a local
name every assignment of which is one of those.  Each construct has a row
where the port proves it and a row where it cannot.
"""

import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

pytest.importorskip("libcst")

from legacy_coro._port import Options, _port_all  # noqa: E402
from legacy_coro._port_transform import port_source  # noqa: E402


def d(text: str) -> str:
    return textwrap.dedent(text)


def port(src: str, target: Tuple[int, int] = (3, 8)) -> Tuple[str, List[str]]:
    result = port_source(d(src).encode(), "t.py", target=target)
    return result.source.decode(), [s.code for s in result.sites]


def port_run(tmp_path: Path, files: Dict[str, str]) -> Dict[str, Tuple[str, List[str]]]:
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(d(text))
        paths.append(str(path))
    result = {}
    for outcome in _port_all(sorted(paths), Options(paths, check=True), None):
        assert outcome.error is None, outcome.error
        text = outcome.new.decode() if outcome.new else Path(outcome.path).read_text()
        result[Path(outcome.path).name] = (text, [code for _, code, _ in outcome.sites])
    return result


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
    result, found = port(src)
    if expected is not None:
        assert result == d(expected)
    else:  # kept on legacy_coro, as 3.10's decorator behaved
        assert result.count("@coroutine\n") == d(src).count("@asyncio.coroutine\n")
    assert found == codes
    assert port(result) == (result, found)


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
