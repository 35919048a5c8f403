"""``.pre-commit-hooks.yaml`` is a valid pre-commit manifest and its hook runs.

pre-commit reads the manifest with its own schema; the checks below are the
ones it applies to a hook (required keys, a known language, a list of file
types), plus what pre-commit does with it: run ``entry`` from an environment
where the repository is installed, with the staged file names appended.
The porting guide's snippet must name that hook and no tag that does not exist.
"""

import re
import shlex
import subprocess
import sys
from configparser import ConfigParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

#: pre-commit's required keys for a hook in a manifest, and some languages it knows
REQUIRED = {"id", "name", "entry", "language"}
LANGUAGES = {"python", "system", "script", "pygrep", "unsupported", "unsupported_script"}


def _hooks():
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and hooks, "a manifest is a list of hooks"
    return hooks


def test_manifest_has_the_keys_pre_commit_requires():
    for hook in _hooks():
        assert REQUIRED <= set(hook), hook
        assert all(isinstance(hook[key], str) and hook[key] for key in REQUIRED), hook
        assert hook["language"] in LANGUAGES, hook
        assert isinstance(hook.get("types", []), list), hook
        assert all(isinstance(dep, str) for dep in hook.get("additional_dependencies", [])), hook


def test_hook_entry_is_a_console_script_of_the_package():
    setup = ConfigParser()
    setup.read(str(ROOT / "setup.cfg"), encoding="utf-8")
    scripts = {line.split("=")[0].strip()
               for line in setup["options.entry_points"]["console_scripts"].splitlines()
               if line.strip()}
    for hook in _hooks():
        assert hook["language"] == "python"  # pre-commit pip-installs the repository
        assert shlex.split(hook["entry"])[0] in scripts, hook["entry"]


def test_hook_runs_as_pre_commit_runs_it(tmp_path):
    """The entry, with a file name appended, ports the file and exits 1 (stop the commit)."""
    # pre-commit installs LibCST from the hook's additional_dependencies; the pypy3 env has none
    pytest.importorskip("libcst", reason="LibCST is not installed (the port extra)")
    (hook,) = [h for h in _hooks() if h["id"] == "legacy-coro-port"]
    script = _installed_script(shlex.split(hook["entry"])[0])
    staged = tmp_path / "old.py"
    staged.write_text("import asyncio\n\n\n@asyncio.coroutine\ndef f():\n"
                      "    yield from asyncio.sleep(0)\n", encoding="utf-8")
    done = subprocess.run([script, *shlex.split(hook["entry"])[1:], str(staged)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert staged.read_text(encoding="utf-8") == (
        "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(0)\n")


def _installed_script(name):
    """The console script installed beside this interpreter (tox's env, a venv)."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    pytest.skip(f"{name} is not installed beside {sys.executable}")


def test_docs_snippet_names_the_hook_and_no_tag_that_does_not_exist():
    readme = (ROOT / "docs" / "guides" / "port.md").read_text(encoding="utf-8")
    snippet = re.search(r"```yaml\n(-   repo: .*?)```", readme, re.DOTALL)
    assert snippet, "the porting guide's pre-commit snippet"
    (repo,) = yaml.safe_load(snippet.group(1))
    assert {h["id"] for h in repo["hooks"]} <= {h["id"] for h in _hooks()}
    rev = str(repo["rev"])
    if re.fullmatch(r"v?\d+(\.\d+)+|[0-9a-f]{40}", rev):  # a tag or a commit: it must exist
        if not (ROOT / ".git").exists():
            pytest.skip("no git repository to look the rev up in")
        found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", rev + "^{commit}"],
                               cwd=str(ROOT), capture_output=True, text=True)
        assert found.returncode == 0, f"the guide names rev {rev}, which this repository lacks"
    else:  # a placeholder, which the text after the snippet explains
        assert f"`{rev}`" in readme[snippet.end():snippet.end() + 1000], rev
