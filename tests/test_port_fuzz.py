"""Fuzzing ``legacy-coro port``: any Python it is given, and generated legacy coroutine code.

Properties, for every input: the port never crashes (a file it cannot port is a
reported refusal, never an internal error), never writes code that does not
compile, is idempotent (porting its output changes nothing), and never awaits
a generator (no ``await f(...)`` where ``f`` is a plain generator function of
the output).

Budget: LEGACY_CORO_FUZZ_EXAMPLES programs per property (default 60, a few
seconds each on CI), and LEGACY_CORO_FUZZ_NODE_EXAMPLES modules built from
LibCST's node types (default 20: they grow to seconds each); a long hunt:

    LEGACY_CORO_FUZZ_EXAMPLES=5000 pytest tests/test_port_fuzz.py

Arbitrary Python comes from hypothesmith (as LibCST and black fuzz their
parsers); it is skipped where hypothesmith is not installed.
"""

import ast
import os
import re
import textwrap
from typing import List, Optional, Set, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("libcst")

from legacy_coro.port._pipeline import port_source  # noqa: E402
from legacy_coro.port._render import PortError  # noqa: E402
from legacy_coro.port.fixes.async_names import rename_names  # noqa: E402

EXAMPLES = int(os.environ.get("LEGACY_CORO_FUZZ_EXAMPLES", "60"))
_SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.filter_too_much])


def plain_generators(tree: ast.Module) -> Tuple[Set[str], Set[str]]:
    """Names of the undecorated generator functions of *tree*: module-level ones, methods."""
    functions: Set[str] = set()
    methods: Set[str] = set()
    for scope, names in ((tree, functions), *((c, methods) for c in ast.walk(tree)
                                               if isinstance(c, ast.ClassDef))):
        for node in scope.body:  # type: ignore[attr-defined]
            if isinstance(node, ast.FunctionDef) and (
                    not node.decorator_list or names is methods and all(
                        isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
                        for d in node.decorator_list)):
                if any(isinstance(n, (ast.Yield, ast.YieldFrom)) and _owner(node, n)
                       for n in ast.walk(node)):
                    names.add(node.name)
    return functions, methods


def _owner(func: ast.FunctionDef, target: ast.AST) -> bool:
    """Whether *target* belongs to *func* itself, not to a function nested in it."""
    stack: List[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if node is target:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def check(source: str) -> Optional[str]:
    """Port *source* and check every property; return the output (None: refused)."""
    try:
        ported = port_source(source.encode(), "fuzz.py")
    except PortError as exc:
        assert exc.kind == "parse", str(exc)  # an internal error is a bug
        return None
    output = ported.source.decode()
    compile(output, "fuzz.py", "exec", dont_inherit=True)
    if "_LegacyCoroResult(" in output:  # the helper, added once for the functions that use it
        assert output.count("\nclass _LegacyCoroResult:\n") + output.startswith(
            "class _LegacyCoroResult:\n") == 1, "the result helper is not added exactly once"
    for dead in re.findall(r"(?m)^if sys\.version_info < \(3, 5\):  # dead\n(?:[ \n].*\n)*?"
                           r"(?=else:  # live)", source):
        # (asyncio.async() excepted: no parser of today reads it, in any branch)
        assert rename_names(dead) in output, "a branch that never runs was changed"
    again = port_source(ported.source, "fuzz.py")
    assert again.source == ported.source, "a second port changed the output"
    tree = ast.parse(output)
    functions, methods = plain_generators(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name):
                assert func.id not in functions, f"await of the plain generator {func.id}()"
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
                    func.value.id == "other"):  # an object the port cannot see
                assert func.attr not in methods, f"await of the plain generator .{func.attr}()"
    for cls in (c for c in ast.walk(tree) if isinstance(c, ast.ClassDef)):
        # self.m() in a class: the class's own generator methods (and its bases' by name).
        own = plain_generators(ast.Module(body=[cls], type_ignores=[]))[1]
        bases = {b.id for b in cls.bases if isinstance(b, ast.Name)}
        for base in (c for c in tree.body if isinstance(c, ast.ClassDef) and c.name in bases):
            own |= plain_generators(ast.Module(body=[base], type_ignores=[]))[1]
        for node in ast.walk(cls):
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
                        func.value.id == "self"):
                    assert func.attr not in own, f"await of the plain generator self.{func.attr}()"
    return output


# -- generated legacy coroutine code ---------------------------------------------------

NAMES = ["fetch", "helper", "tick", "read_name", "step", "run", "main", "gen", "pump"]

_STATEMENTS = [
    "yield from {callee}()",
    "x = yield from {callee}(a)",
    "return (yield from {callee}())",
    "yield from self.{callee}()",
    "yield from super().{callee}()",
    "yield from other.{callee}()",
    "yield",
    "yield None",
    "yield 1",
    "yield from [1, 2]",
    "yield from asyncio.sleep(0, loop=loop)",
    "yield from asyncio.wait(jobs, loop=loop, timeout=1)",
    "yield from asyncio.wait([{callee}(), {callee}()])",
    "done, _ = yield from asyncio.wait([asyncio.ensure_future({callee}())])",
    "q = asyncio.Queue(loop=loop)  # a queue",
    "lock = asyncio.locks.Lock(loop=loop)",
    "with (yield from lock):\n{indent}    pass",
    "with (yield from lock) as held:\n{indent}    pass",
    "coro = {callee}()\n{indent}yield from coro",
    "for item in {callee}():\n{indent}    pass",
    "t = asyncio.async({callee}())",
    "asyncio.Task.all_tasks()",
    "g = lambda: (yield from {callee}())",
    "r = [(yield) for _ in range(2)]",
    "return {callee}()",
    "return 1",
    "result = {callee}()\n{indent}return result",
    "if sys.version_info < (3, 5):\n{indent}    return {callee}()",
    "if sys.version_info[:2] >= (3, 5):\n{indent}    yield from {callee}()\n{indent}"
    "else:\n{indent}    yield from asyncio.async({callee}())",
    "pass",
]

_DECORATORS = ["@asyncio.coroutine", "@coroutine", "@aio.coroutine", "", "", "@staticmethod",
               "@other", "@asyncio.coroutine\n{indent}@functools.wraps(other)"]


@st.composite
def functions(draw: st.DrawFn, indent: str = "") -> str:
    name = draw(st.sampled_from(NAMES))
    decorator = draw(st.sampled_from(_DECORATORS))
    params = draw(st.sampled_from(["", "a", "coro", "a,\n" + indent + "        b=None"]))
    if indent and decorator != "@staticmethod":
        params = "self" + (", " + params if params else "")
    body = draw(st.lists(st.sampled_from(_STATEMENTS), min_size=1, max_size=5))
    callee = draw(st.sampled_from(NAMES))
    lines = [f"{indent}{decorator.format(indent=indent)}"] if decorator else []
    lines.append(f"{indent}def {name}({params}):")
    for statement in body:
        text = statement.format(callee=callee, indent=indent + "    ")
        lines.append(f"{indent}    {text}")
    return "\n".join(lines) + "\n"


@st.composite
def modules(draw: st.DrawFn) -> str:
    header = draw(st.sampled_from([
        "import asyncio\n",
        "import asyncio\nimport asyncio as aio\nfrom legacy_coro import coroutine\n",
        "import asyncio\nfrom asyncio import coroutine\n",
        '"""Doc."""\nimport asyncio\nimport inspect\n',
    ])) + "import functools\nimport sys\n"
    parts = [header]
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.integers(0, 2))
        if kind == 2:  # a version branch that never runs on 3.8+, and one that does
            dead = draw(functions(indent="    "))
            parts.append("if sys.version_info < (3, 5):  # dead\n" + dead
                         + "else:  # live\n" + draw(functions(indent="    ")))
        elif kind == 1:
            parts.append(draw(functions()))
        else:
            base = draw(st.sampled_from(["", "(Base)", "(object)"]))
            methods = draw(st.lists(functions(indent="    "), min_size=1, max_size=3))
            parts.append(f"class {draw(st.sampled_from(['Base', 'Conn']))}{base}:\n"
                         + "\n".join(methods))
    tail = draw(st.sampled_from([
        "", "loop = asyncio.get_event_loop()\nloop.run_until_complete(main())\n",
        "assert inspect.iscoroutinefunction(fetch)\n", "x = list(gen())\n",
        "fetch = asyncio.coroutine(fetch)\n",
    ]))
    return "\n\n".join(parts) + "\n" + tail


@_SETTINGS
@given(modules())
def test_generated_legacy_code(source: str) -> None:
    try:
        compile(source, "fuzz.py", "exec", dont_inherit=True)
    except SyntaxError:  # the generator's own mistakes (yield in a comprehension...)
        return
    check(source)


def test_generated_legacy_code_is_ported_at_all() -> None:
    """The generator's programs do reach the port: one of them, ported by hand."""
    source = textwrap.dedent("""\
        import asyncio

        def helper():
            yield from asyncio.sleep(0)

        @asyncio.coroutine
        def main():
            yield from helper()
        """)
    output = check(source)
    assert output is not None and "async def helper" in output


# -- any Python --------------------------------------------------------------------------

hypothesmith = pytest.importorskip("hypothesmith")


@_SETTINGS
@given(hypothesmith.from_grammar())
def test_any_python_from_the_grammar(source: str) -> None:
    check("import asyncio\n" + source)


#: a module built from LibCST's node types takes about a second to generate and port
#: (the other properties: a few milliseconds), so fewer of them
NODE_EXAMPLES = int(os.environ.get("LEGACY_CORO_FUZZ_NODE_EXAMPLES", "20"))


@settings(_SETTINGS, max_examples=NODE_EXAMPLES)
@given(hypothesmith.from_node())
def test_any_python_from_libcst_nodes(source: str) -> None:
    check(source)
