"""A pytest plugin that runs an old test suite under the compat layer.

Opt-in, never loaded by merely installing legacy_coro (that would patch asyncio
in every pytest run of the environment).  Enable it per run or per project::

    pytest -p legacy_coro.pytest_plugin
    # or in pytest.ini / setup.cfg [tool:pytest] / pyproject [tool.pytest.ini_options]:
    addopts = -p legacy_coro.pytest_plugin

Opt-in behaviour changes (``CancelledError-base``, ``wait_for-inline``,
``wait_closed-connections``, ``all``) are restored when named by the ini
option ``legacy_coro_restore`` or the environment variable
``LEGACY_CORO_RESTORE`` (comma-separated).

It calls :func:`legacy_coro.install` as soon as pytest registers it: before
pytest loads the plugins installed in site-packages through their entry
points (``pytest11``; old plugins call ``asyncio.async()`` too), before the
first conftest file, before collection -- so all of them are compiled
through the layer, with pytest's assertion rewriting kept.  It calls
:func:`legacy_coro.uninstall` when pytest is done, unless the layer was
installed already (``legacy-coro run -m pytest``), which it then leaves
alone.
"""

import os
from typing import Any, List

import pytest

from legacy_coro._install import installed_patches

_KEY = pytest.StashKey[installed_patches]()


def _restore(config: Any) -> List[str]:
    from legacy_coro._cmd_run import restore_keys

    values = [os.environ.get("LEGACY_CORO_RESTORE", "")]
    try:
        values.extend(config.getini("legacy_coro_restore"))
    except ValueError:  # the ini option is not registered yet (too early)
        pass
    return restore_keys(values)


def _install(config: Any) -> None:
    if _KEY not in config.stash:
        patches = installed_patches(restore=_restore(config))
        patches.__enter__()
        config.stash[_KEY] = patches


def pytest_addoption(parser: Any, pluginmanager: Any) -> None:
    """Register the ini option naming opt-in behaviour changes; install the layer.

    pytest calls this as it registers the plugin, which ``-p`` (on the command
    line or in the ini file's ``addopts``) does before it loads the plugins of
    site-packages: the earliest hook a plugin gets.
    """
    parser.addini("legacy_coro_restore", type="args", default=[],
                  help="behaviour changes legacy_coro restores too (CancelledError-base, "
                       "wait_for-inline, wait_closed-connections, all); LEGACY_CORO_RESTORE "
                       "does the same")
    config = pluginmanager.get_plugin("pytestconfig")
    if config is not None:
        _install(config)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: Any, parser: Any, args: Any) -> None:
    """Install the layer before the first conftest file is imported (if not yet)."""
    _install(early_config)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: Any) -> None:
    """Install the layer (when loaded too late for the hook above, from a conftest)."""
    _install(config)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: Any) -> None:
    """Put asyncio back, if this plugin installed the layer."""
    patches = config.stash.get(_KEY, None)
    if patches is not None:
        del config.stash[_KEY]
        patches.__exit__(None, None, None)


def pytest_report_header(config: Any) -> str:
    """Say that the suite runs under the layer, and what it restores."""
    from legacy_coro import installed

    keys = ", ".join(sorted(installed())) or "nothing on this Python"
    return f"legacy_coro: compat layer installed ({keys})"
