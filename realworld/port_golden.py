"""Compare what ``legacy-coro port`` writes and reports at two revisions, byte for byte.

    python realworld/port_golden.py --base REV        # REV: a commit, branch or tag

A refactoring of the port must not change its output.  This script ports one
fixed corpus with the port of the git revision REV and with the port of the
working tree, and compares, for every part of the corpus and every target,
the ``--diff`` output and the ``--check --json`` report (and both exit
statuses).  Exit status 0: the same bytes everywhere; 1: a difference (the
first lines of each are printed); 2: the corpus could not be assembled.

The corpus:

- ``examples``: examples_legacy/ of this checkout (each example and its
  as-printed variant), at every target;
- ``realworld-NAME``: the sdist of each library of realworld/suites.py and of
  the ``asyncio.async`` generation (websockets 4.0.1, janus 0.3.0, irc3
  0.9.8), every ``.py`` of it, at every target (downloaded into the realworld
  cache, checked against its sha256);
- ``cpython36``: the standard library of CPython 3.6 (``Lib/``, found through
  ``--python36``, default pyenv's ``3.6``), at the default target;
- ``fuzz``: legacy programs made by tests/test_port_fuzz.py's generator
  (``--fuzz N`` of them, default 400, generated once into the cache with a
  fixed seed, so both revisions port the same files), at the default target.

The outputs of REV are kept in the cache by commit, so a second comparison
against the same REV ports with the working tree only.  Paths in the outputs
are relative to each part's root.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
sys.path.insert(0, str(HERE))

import suites  # noqa: E402  (realworld/suites.py: the cache and the sdists)

#: the libraries of the ``asyncio.async`` generation (2014-2016), beyond suites.LIBRARIES
OLD_SDISTS = (
    suites.Sdist("websockets", "4.0.1",
                 "da4d4fbe059b0453e726d6d993760065d69b823a27efc3040402a6fcfe6a1ed9"),
    suites.Sdist("janus", "0.3.0",
                 "512664f442f31c9559a3d162e63c5a9b1f146b3e9b9e3442f9b4791284347b21"),
    suites.Sdist("irc3", "0.9.8",
                 "7dbb49c662143c06a67810a1de46e663a14de4934309472124c0a087fad863ed"),
)
ALL_TARGETS = tuple(f"--py3{minor}-plus" for minor in range(6, 16))
DEFAULT_TARGETS = ("",)  # the port's own default, whatever it is at that revision
FUZZ_SEED = 20261203
#: bumped when the outputs of one revision change meaning (2: cpython36 ported, not crashed)
CACHE_VERSION = 2


class Part:
    """One directory of the corpus and the targets it is ported at."""

    def __init__(self, name: str, root: Path, targets: Sequence[str]) -> None:
        self.name = name
        self.root = root
        self.targets = tuple(targets)


def assemble(cache: Path, fuzz: int, python36: str) -> List[Part]:
    """Put the corpus together under ``cache/golden/corpus``; return its parts."""
    corpus = cache / "golden" / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    parts = [Part("examples", CHECKOUT / "examples_legacy", ALL_TARGETS + DEFAULT_TARGETS)]
    sdists = {lib.sdist for lib in suites.LIBRARIES.values()} | set(OLD_SDISTS)
    for sdist in sorted(sdists):
        root = corpus / f"realworld-{sdist.name}-{sdist.version}"
        if not root.is_dir():
            tarball = suites.ensure_sdist(cache, sdist)
            with tempfile.TemporaryDirectory(dir=corpus) as tmp:
                os.replace(suites.extract(tarball, Path(tmp)), root)
        parts.append(Part(root.name, root, ALL_TARGETS + DEFAULT_TARGETS))
    lib36 = corpus / "cpython36"
    if not lib36.is_dir():
        found = suites.find_python(python36)
        stdlib = subprocess.run(
            [found.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
            capture_output=True, text=True, check=True).stdout.strip()
        shutil.copytree(stdlib, lib36, ignore=shutil.ignore_patterns(
            "site-packages", "__pycache__", "*.pyc"), symlinks=True)
    parts.append(Part("cpython36", lib36, DEFAULT_TARGETS))
    fuzz_dir = corpus / f"fuzz-{fuzz}-{FUZZ_SEED}"
    if not fuzz_dir.is_dir():
        _generate_fuzz(fuzz_dir, fuzz)
    parts.append(Part("fuzz", fuzz_dir, DEFAULT_TARGETS))
    return parts


def _generate_fuzz(into: Path, count: int) -> None:
    """Write *count* programs of the fuzz test's generator, deterministically."""
    sys.path.insert(0, str(CHECKOUT / "tests"))
    from hypothesis import HealthCheck, given, settings
    from test_port_fuzz import modules

    found: List[str] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(modules())
    def collect(source: str) -> None:
        found.append(source)

    collect()
    tmp = Path(tempfile.mkdtemp(dir=into.parent))
    for number, source in enumerate(found):
        (tmp / f"f{number:04d}.py").write_text(source, encoding="utf-8")
    os.replace(tmp, into)


def _tree_of(rev: str, into: Path) -> str:
    """Export the package of git revision *rev* into *into*; return its commit."""
    commit = subprocess.run(
        ["git", "-C", str(CHECKOUT), "rev-parse", "--verify", rev + "^{commit}"],
        capture_output=True, text=True)
    if commit.returncode:
        raise SystemExit(f"port_golden: {rev!r} is not a revision of this checkout")
    archive = subprocess.run(["git", "-C", str(CHECKOUT), "archive", commit.stdout.strip(),
                              "legacy_coro"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return commit.stdout.strip()


def port_outputs(package_root: Path, parts: Sequence[Part]) -> Dict[str, str]:
    """Run the port of *package_root* over every part at its targets; return the outputs."""
    outputs: Dict[str, str] = {}
    # PYTHONSAFEPATH (3.11+): the part's root is the working directory, and
    # cpython36's Lib/ there would shadow the interpreter's own modules
    # (``python -m`` puts the working directory first on sys.path).
    env = dict(os.environ, PYTHONPATH=str(package_root), PYTHONHASHSEED="0",
               PYTHONSAFEPATH="1")
    env.pop("LEGACY_CORO_REPORT", None)
    for part in parts:
        for target in part.targets:
            for mode in ("--diff", "--check --json"):
                argv = [sys.executable, "-m", "legacy_coro", "port", *mode.split(),
                        *([target] if target else []), "."]
                done = subprocess.run(argv, cwd=part.root, env=env, capture_output=True)
                key = f"{part.name} {target or 'default'} {mode}"
                outputs[key] = (f"exit {done.returncode}\n"
                                + done.stdout.decode("utf-8", "surrogateescape"))
                sys.stderr.write(f"  {key}: exit {done.returncode}\n")
    return outputs


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, metavar="REV",
                        help="the git revision whose port output is the reference")
    parser.add_argument("--fuzz", type=int, default=400, metavar="N",
                        help="generated programs in the fuzz part (default: %(default)s)")
    parser.add_argument("--python36", default="3.6",
                        help="the interpreter whose Lib/ is the cpython36 part (default: 3.6)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="the realworld cache (default: as realworld/suites.py)")
    parser.add_argument("--only", action="append", metavar="PART",
                        help="compare only this part (examples, realworld-..., cpython36, fuzz)")
    args = parser.parse_args(argv)
    cache = args.cache or suites.default_cache()
    try:
        parts = assemble(cache, args.fuzz, args.python36)
    except suites.SetupError as exc:
        sys.stderr.write(f"port_golden: {exc}\n")
        return 2
    if args.only:
        parts = [p for p in parts if p.name in args.only or any(
            p.name.startswith(o) for o in args.only)]
    with tempfile.TemporaryDirectory() as tmp:
        commit = _tree_of(args.base, Path(tmp))
        spec = json.dumps([commit, [(p.name, p.targets) for p in parts], CACHE_VERSION],
                          sort_keys=True)
        stored = cache / "golden" / f"{hashlib.sha256(spec.encode()).hexdigest()[:16]}.json"
        if stored.is_file():
            base = json.loads(stored.read_text())
        else:
            sys.stderr.write(f"porting with {args.base} ({commit[:10]})\n")
            base = port_outputs(Path(tmp), parts)
            stored.write_text(json.dumps(base, indent=1, sort_keys=True))
    sys.stderr.write("porting with the working tree\n")
    now = port_outputs(CHECKOUT, parts)
    differ: List[Tuple[str, str, str]] = [(k, base.get(k, ""), now[k]) for k in sorted(now)
                                          if base.get(k) != now[k]]
    for key, old, new in differ:
        import difflib

        sys.stdout.write(f"--- {key}: differs\n")
        lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "base", "now",
                                          lineterm="", n=1))
        sys.stdout.write("\n".join(lines[:40]) + ("\n  ...\n" if len(lines) > 40 else "\n"))
    total = len(now)
    sys.stdout.write(f"{total - len(differ)} of {total} outputs identical to {args.base}\n")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
