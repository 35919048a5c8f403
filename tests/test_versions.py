"""The version table in legacy_coro._versions is the one the README shows."""

from pathlib import Path

import pytest

from legacy_coro import _versions

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_table_is_rendered_from_the_version_module():
    if not README.exists():
        pytest.skip("README.md is not next to the tests (installed-package run)")
    assert _versions.render_table() in README.read_text(encoding="utf-8")


def test_change_lookup():
    assert _versions.change("asyncio.coroutine").label == "3.11"
    assert _versions.change("generator-rejected").applies == (_versions.PY >= (3, 12))
    with pytest.raises(KeyError, match="no asyncio change named 'nope'"):
        _versions.change("nope")


def test_keys_are_unique():
    keys = [c.key for c in _versions.CHANGES]
    assert len(keys) == len(set(keys))
