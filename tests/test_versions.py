"""The version table in legacy_coro._versions is the one the documentation shows."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from legacy_coro import _versions

PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "versions.md"


def test_docs_table_is_rendered_from_the_version_module():
    """The page includes what docs/_ext/lcdocs.py renders with render_table(); no copy."""
    if not PAGE.exists():
        pytest.skip("docs/ is not next to the tests (installed-package run)")
    page = PAGE.read_text(encoding="utf-8")
    assert "```{include} ../_generated/versions.md\n```" in page
    assert "| 3.1" not in page  # no hand-written row beside the generated table
    assert _versions.render_table().startswith("| Python | what changed |")


def test_change_lookup():
    assert _versions.change("asyncio.coroutine").label == "3.11"
    assert _versions.change("generator-rejected").applies == (_versions.PY >= (3, 12))
    with pytest.raises(KeyError, match="no asyncio change named 'nope'"):
        _versions.change("nope")


def test_keys_are_unique():
    keys = [c.key for c in _versions.CHANGES]
    assert len(keys) == len(set(keys))


def test_printed_quotes_the_symptom_up_to_its_elisions():
    assert _versions.printed("wait-coroutines") == (
        "TypeError: Passing coroutines is forbidden, use tasks explicitly.")
    # cut before an object's repr and before "...", so it is a prefix of the real line
    assert _versions.printed("generator-rejected") == "TypeError: a coroutine was expected, got"
    assert _versions.printed("generator-rejected", "asyncio.run(gen)") == (
        "ValueError: a coroutine was expected")
    assert _versions.printed("generator-rejected", "run_until_complete(gen)") == (
        "TypeError: An asyncio.Future, a coroutine or an awaitable is required")
    with pytest.raises(KeyError, match="quotes no 'nope"):
        _versions.printed("generator-rejected", "nope()")
    with pytest.raises(KeyError, match="quotes no error"):
        _versions.printed("CancelledError-base")


# The 3.14 rows, checked against the running interpreter (3.14.7 and 3.15.0rc1 seen).


def _plain(source):
    """Run *source* with plain python, DeprecationWarning as an error."""
    return subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", textwrap.dedent(source)],
        capture_output=True, text=True, timeout=60,
    )


def test_asyncio_run_given_a_generator():
    done = _plain("""
        import asyncio, types

        def plain():
            yield

        @types.coroutine
        def flagged():           # what types.coroutine gives: a generator that may await
            yield from asyncio.sleep(0)
            return 5

        for gen in (plain, flagged):
            try:
                print(gen.__name__, asyncio.run(gen()))
            except Exception as exc:
                print(gen.__name__, f"{type(exc).__name__}: {exc}")
    """)
    assert done.returncode == 0, done.stderr
    plain, flagged = done.stdout.splitlines()
    if _versions.change("asyncio.run-awaitable").applies:
        assert plain == "plain " + _versions.printed("asyncio.run-awaitable")
        assert flagged == "flagged 5"
    elif _versions.change("generator-rejected").applies:
        run_says = _versions.printed("generator-rejected", "asyncio.run(gen)")
        assert plain.startswith("plain " + run_says + ", got <generator object plain at 0x")
        assert flagged.startswith("flagged " + run_says + ", got <generator object flagged at 0x")
    else:  # asyncio.iscoroutine() was true for generators
        assert plain == "plain None"  # a bare yield gives the loop one turn
        assert flagged == "flagged 5"


def test_event_loop_policy_functions():
    done = _plain("""
        import asyncio
        asyncio.set_event_loop_policy(None)
        print("set")
    """)
    if _versions.change("policy-removed").applies:
        assert done.returncode == 1
        assert _versions.printed("policy-removed").replace(
            "get_event_loop_policy", "set_event_loop_policy") in done.stderr
    elif _versions.change("policy-deprecated").applies:
        assert done.returncode == 1
        assert _versions.printed("policy-deprecated") in done.stderr
    else:
        assert (done.returncode, done.stdout, done.stderr) == (0, "set\n", "")


def test_asyncio_iscoroutinefunction():
    done = _plain("""
        import asyncio
        async def f():
            pass
        print(asyncio.iscoroutinefunction(f))
    """)
    if _versions.change("iscoroutinefunction-removed").applies:
        assert done.returncode == 1
        assert _versions.printed("iscoroutinefunction-removed") in done.stderr
    elif _versions.change("iscoroutinefunction-deprecated").applies:
        assert done.returncode == 1
        assert _versions.printed("iscoroutinefunction-deprecated") in done.stderr
    else:
        assert (done.returncode, done.stdout, done.stderr) == (0, "True\n", "")


@pytest.mark.parametrize("name", sorted(_versions.POLICY_NAMES))
def test_the_policy_names_are_there_until_316(name):
    """Each name the "policy-removed" row restores: there (maybe deprecated) until 3.16."""
    module, _, attribute = name.rpartition(".")
    done = _plain(f"""
        import warnings
        warnings.simplefilter("ignore", DeprecationWarning)
        import {module}
        print(hasattr({module}, {attribute!r}))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{not _versions.change('policy-removed').applies}\n"


@pytest.mark.parametrize("name, spelling", sorted(_versions.REMOVED_SUBMODULE_NAMES.items()))
def test_removed_submodule_names(name, spelling):
    """Each name is gone from its submodule since the row's version; its spelling works."""
    module, _, attribute = name.rpartition(".")
    done = _plain(f"""
        import asyncio, {module}
        print(hasattr({module}, {attribute!r}), {spelling}.__name__)
    """)
    assert done.returncode == 0, done.stderr
    gone = _versions.change("submodule-names").applies
    assert done.stdout == f"{not gone} {spelling.rpartition('.')[2]}\n"


def test_removed_submodule_names_are_what_asyncio_itself_still_has():
    assert _versions.REMOVED_SUBMODULE_NAMES
    for name, spelling in _versions.REMOVED_SUBMODULE_NAMES.items():
        assert name.split(".")[1] in _versions.ASYNCIO_SUBMODULES
        assert spelling == "asyncio." + name.rpartition(".")[2]
        assert _versions.canonical_asyncio(name) == spelling
