"""The sdist holds what a distribution needs to build and test legacy_coro.

A distribution builds the wheel from the sdist and runs the test suite from
the unpacked sdist, without the repository.  So the sdist must hold every file
the suite reads (conftest.py, tests/expected/, tests/_uvloop_site/, both
example directories, README.md for the table tests) and the wheel built from
it must hold the package only.

Building takes a few seconds and runs on every interpreter.  Running the whole
suite again from the unpacked sdist takes as long as the suite itself, so it
runs once per CI run, in ``tox -e sdist`` (LEGACY_CORO_SDIST=1), not on each
interpreter: what it checks (that the files are there) does not depend on the
interpreter, and the per-interpreter runs already check that the tests pass.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Written by setuptools into every sdist; not in the repository.
GENERATED = {"PKG-INFO"}

#: Caches the suite and the tools leave in a tree; never part of the sdist.
CACHES = {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", ".tox",
          ".git", "build", "dist", ".venv"}


def _source_files():
    """The files that belong in the sdist: git's list in a checkout, else the tree's.

    git's list is the tracked files and the untracked ones it does not ignore
    (a new test not yet committed belongs in the sdist too).
    """
    if (ROOT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=str(ROOT), capture_output=True, text=True,
        )
        if listed.returncode == 0:
            names = {name for name in listed.stdout.split("\0") if name}
            # a virtual environment made in the checkout under another name than .venv
            venvs = {name.split("/")[0] for name in names if name.endswith("/pyvenv.cfg")}
            return {name for name in names
                    if name.split("/")[0] not in venvs
                    and (ROOT / name).is_file() and not (ROOT / name).is_symlink()}
    files = set()
    for dirpath, dirnames, filenames in os.walk(str(ROOT)):
        dirnames[:] = [d for d in dirnames if d not in CACHES and not d.endswith(".egg-info")]
        for name in filenames:
            if not name.endswith((".pyc", ".pyo")) and name != "PKG-INFO":
                files.add(os.path.relpath(os.path.join(dirpath, name), str(ROOT)))
    return {name.replace(os.sep, "/") for name in files}


def _build(kind, source, out):
    """Build an sdist or a wheel of *source* into *out* with setuptools, as pip would.

    setuptools is in requirements-dev.txt: the build runs in this environment,
    without fetching anything, as a distribution's build does.
    """
    done = subprocess.run(
        [sys.executable, "-c",
         f"import sys; from setuptools import build_meta; "
         f"print(build_meta.build_{kind}(sys.argv[1]))", str(out)],
        cwd=str(source), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The sdist of this tree, built and unpacked: (its member names, its directory).

    Built from a copy of the repository's files, as in a fresh clone: a
    ``legacy_coro.egg-info/SOURCES.txt`` left in the tree by an earlier build
    would add its files to the sdist whatever MANIFEST.in says.
    """
    clean = tmp_path_factory.mktemp("clone")
    for name in _source_files():
        (clean / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(str(ROOT / name), str(clean / name))
    out = tmp_path_factory.mktemp("sdist")
    sdist = _build("sdist", clean, out)
    with tarfile.open(str(sdist)) as tar:
        names = [member.name for member in tar.getmembers() if member.isfile()]
        if hasattr(tarfile, "data_filter"):  # 3.12+ and the security releases before
            tar.extractall(str(out), filter="data")
        else:
            tar.extractall(str(out))  # our own archive, just built
    top = names[0].split("/")[0]
    return {name.split("/", 1)[1] for name in names}, out / top


def test_sdist_holds_every_file_of_the_repository(unpacked):
    files, _ = unpacked
    expected = _source_files()
    assert expected - files == set(), "missing from the sdist"
    extra = {name for name in files - expected
             if name not in GENERATED and ".egg-info/" not in name}
    assert extra == set(), "in the sdist but not in the repository"
    # what the suite and a distribution need, named, in case the list above is short
    for name in ("LICENSE", "README.md", "CHANGELOG.md", "tox.ini", "requirements-dev.txt",
                 "tests/conftest.py", "tests/expected/gather.txt",
                 "tests/_uvloop_site/sitecustomize.py", "examples_legacy/as_printed/wait.py",
                 "examples_native/wait.py", "benchmarks/bench_shim.py"):
        assert name in files, name


def test_license_is_the_one_the_metadata_names(unpacked):
    files, top = unpacked
    pkg_info = (top / "PKG-INFO").read_text(encoding="utf-8")
    assert "License: MIT" in pkg_info.splitlines() or "License-Expression: MIT" in pkg_info
    text = (top / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "legacy_coro contributors" in text


def test_wheel_built_from_the_sdist_holds_the_package_only(unpacked, tmp_path):
    _, top = unpacked
    wheel = _build("wheel", top, tmp_path)
    with zipfile.ZipFile(str(wheel)) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names}
    dist_info = {t for t in tops if t.endswith(".dist-info")}
    assert tops - dist_info == {"legacy_coro"}, tops
    package = {name for name in names if name.startswith("legacy_coro/")}
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "legacy_coro").rglob("*")
               if p.suffix in (".py", ".typed") and "__pycache__" not in p.parts}
    assert package == sources
    assert any(name.endswith("/licenses/LICENSE") or name.endswith("/LICENSE")
               for name in names if name.split("/")[0] in dist_info), names


@pytest.mark.skipif(not os.environ.get("LEGACY_CORO_SDIST"),
                    reason="the whole suite from the unpacked sdist runs once, in tox -e sdist")
def test_suite_passes_from_the_unpacked_sdist(unpacked):
    _, top = unpacked
    env = {k: v for k, v in os.environ.items() if k not in ("LEGACY_CORO_SDIST", "PYTHONPATH")}
    env["PYTHONPATH"] = str(top)  # the sdist's legacy_coro, not the installed one
    # what is checked here is that the sdist holds a suite that runs; the generated
    # programs' properties are checked by the interpreters' own envs, with their budget
    env.setdefault("LEGACY_CORO_DIFF_EXAMPLES", "25")
    env.setdefault("LEGACY_CORO_FUZZ_EXAMPLES", "10")
    env.setdefault("LEGACY_CORO_FUZZ_NODE_EXAMPLES", "5")
    where = subprocess.run(
        [sys.executable, "-c", "import legacy_coro; print(legacy_coro.__file__)"],
        cwd=str(top), env=env, capture_output=True, text=True,
    )
    assert where.stdout.strip() == str(top / "legacy_coro" / "__init__.py"), where
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-W", "error", "-p", "no:cacheprovider", "-q", "tests",
         *(["-n", "auto"] if importlib.util.find_spec("xdist") else [])],
        cwd=str(top), env=env, capture_output=True, text=True, timeout=1800,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    print("unpacked sdist:", summary.strip("= "))  # shown by tox -e sdist (pytest -rP)
