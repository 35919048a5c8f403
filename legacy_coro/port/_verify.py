"""``legacy-coro port --verify``: run the original code base and its port, each in its own copy.

The tree (:mod:`._tree`) is copied twice, the port written into the second copy; then each
changed script runs in both copies and their transcripts are compared as ``legacy-coro
compare`` compares them (its normaliser, and the copies' paths read as the user's tree), and
each test module that changed or imports what changed runs in both and is compared test by
test (:mod:`._verify_tests`).  What runs, and what a run imports, is :mod:`._verify_plan`'s.
A changed file is approved when its own run is the same and no run that imports it differs.

Imported only when ``--verify`` runs (it imports the comparison runner).
"""

import os
import re
import subprocess
import sys
import time
from typing import IO, TYPE_CHECKING, Dict, List, NamedTuple, Sequence, Tuple

from legacy_coro.port._options import Options
from legacy_coro.port._pipeline import Outcome
from legacy_coro.port._tree import Trees, renames_of, tree_root
from legacy_coro.port._verify_plan import PYTEST_STYLE, SCRIPT, Target, blocked, plan
from legacy_coro.port._verify_tests import (
    PYTEST, UNITTEST, Results, collection_error, compare, counts, driver_source, pytest_args,
    read_junit, read_unittest, split, unittest_args,
)

if TYPE_CHECKING:
    from legacy_coro._children import Children
    from legacy_coro._compare import Column, Interpreter, RunResult

__all__ = ["SAME", "verify_column", "verify_outcomes"]

#: the verdicts of a changed file (SAME: written); the report counts the others
SAME, DIFFERENT, ORIGINAL, BLOCKED, UNVERIFIED, INTERRUPTED = (
    "same", "different", "original", "blocked", "unverified", "interrupted")


def verify_column(options: Options, children: "Children") -> "Column":
    """Return the ``_compare.Column`` --verify runs in (LookupError: a usage error)."""
    from legacy_coro._compare import Column, Interpreter, check_compat, resolve_python

    here = Interpreter("{}.{}".format(*sys.version_info[:2]), sys.executable)
    a = (resolve_python(options.python_a, option="--python-a", children=children)
         if options.python_a else here)
    b = (resolve_python(options.python_b, option="--python-b", children=children)
         if options.python_b else here)
    compat = options.python_a is None if options.compat_a is None else options.compat_a
    if compat:
        check_compat(a, "--compat-a" if options.compat_a else "--verify (the original runs "
                     "under legacy-coro run; --no-compat-a runs it plainly)", children)
    return Column(a.label if a == b else f"{a.label}/{b.label}", a, b, compat)


def _sides(column: "Column") -> str:
    under = "under legacy-coro run " if column.compat_a else ""
    if column.a == column.b:
        return (f"the original {under}and the port on Python {column.a.label}" if under
                else f"on Python {column.a.label}")
    return f"the original {under}on Python {column.a.label}, the port on {column.b.label}"


def _why(run: "RunResult") -> str:
    """Say how a run failed: its exit code and its error (the exception line of its last
    traceback, else the last line of its stderr)."""
    if run.timed_out:
        return f"killed after the {run.timeout:g} s timeout"
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    error = lines[-1].strip() if lines else ""
    headers = [n for n, line in enumerate(lines) if line == "Traceback (most recent call last):"]
    if headers:
        error = next((line for line in lines[headers[-1] + 1:] if not line[:1].isspace()), error)
    return f"exit {run.returncode}" + (f": {error}" if error else ", nothing on stderr")


class _Side(NamedTuple):
    name: str  #: "a" (the original) or "b" (the port)
    python: "Interpreter"
    compat: bool  #: under legacy-coro run


class _Verifier:
    """The runs of one --verify, in the two copies of *trees*."""

    def __init__(self, options: Options, column: "Column", trees: Trees, bases: Sequence[str],
                 children: "Children", err: IO[str]) -> None:
        self.timeout = options.timeout
        self.column = column
        self.trees = trees
        self.bases = bases
        self.children = children
        self.err = err
        self.sides = (_Side("a", column.a, column.compat_a), _Side("b", column.b, False))
        self.runner = ""  #: PYTEST or UNITTEST, chosen at the first test module
        self.lacking: List[str] = []  #: the interpreters that cannot import pytest
        self.driver = os.path.join(trees.temp, "_unittest_outcomes.py")
        self.reports = 0

    # -- running

    def _command(self, side: _Side, rest: List[str]) -> List[str]:
        return [side.python.executable] + (["-m", "legacy_coro", "run"] if side.compat
                                           else []) + rest

    def _env(self, side: _Side, first: Sequence[str] = ()) -> Dict[str, str]:
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        if side.compat:
            env.pop("LEGACY_CORO_REPORT", None)  # as `compare`: no porting report
        # what an installed project puts on sys.path: the directories of its top packages
        paths = [os.path.normpath(self.trees.inside(d, side.name))
                 for d in dict.fromkeys(list(first) + list(self.bases))]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        return env

    def _run(self, side: _Side, script: str, rest: List[str], cwd: str,
             first: Sequence[str] = ()) -> "RunResult":
        from legacy_coro._compare import STDERR_MARK, RunResult
        from legacy_coro._normalize import RunWindow, normalize

        mono, wall = time.monotonic(), time.time()
        timeout = self.timeout
        done = self.children.run(self._command(side, rest), timeout=timeout, cwd=cwd,
                                 env=self._env(side, first), stdin=subprocess.DEVNULL)
        window = RunWindow((mono, time.monotonic()), (wall, time.time()))

        def normalise(text: str) -> str:
            text = normalize(text, scripts=(script,) if script else (), window=window)
            return self._tree_paths(text, side.name)

        lines = normalise(done.stdout).splitlines()
        lines += [STDERR_MARK + line for line in normalise(done.stderr).splitlines()]
        return RunResult(script, done.returncode, done.timed_out, time.monotonic() - mono,
                         done.stdout, done.stderr, "".join(line + "\n" for line in lines),
                         timeout)

    def _tree_paths(self, text: str, which: str) -> str:
        """Read the copy's paths as the user's tree's, their line numbers as <line> (the
        script-path rule of ``compare`` for every file of the tree)."""
        copy = self.trees.side(which)
        spellings = sorted({copy, os.path.realpath(copy)}, key=len, reverse=True)
        prefix = "(?:" + "|".join(re.escape(s) for s in spellings) + r")((?:[/\\][^\s\"':,()<>]*)?)"
        root = self.trees.root.replace("\\", "\\\\")
        text = re.sub(prefix + r'", line \d+', root + r'\1", line <line>', text)
        text = re.sub(prefix + r":\d+", root + r"\1:<line>", text)
        return re.sub(prefix, root + r"\1", text)

    # -- scripts

    def script(self, target: Target) -> str:
        """Run a changed script in both copies; report; return its verdict."""
        from legacy_coro._compare import unified

        runs = []
        for side in self.sides:
            where = self.trees.inside(target.path, side.name)
            if target.as_module:
                base = os.path.normpath(self.trees.inside(target.base, side.name))
                module = target.module + (".__init__" if where.endswith("__init__.py") else "")
                if side.name == "b" and self.trees.moved:  # a module renamed by the port
                    module = os.path.splitext(os.path.relpath(where, base))[0].replace(
                        os.sep, ".")
                runs.append(self._run(side, where, ["-m", module], base))
            else:
                runs.append(self._run(side, where, [where], os.path.dirname(where)))
        a, b = runs
        sides = _sides(self.column)
        if a.ok and b.ok and a.transcript == b.transcript:
            self.err.write(f"{_name(target)}: verify: same transcript, {sides}\n")
            return SAME
        if not a.ok:
            self.err.write(f"{_name(target)}: verify: the original does not run ({_why(a)}), "
                           f"{sides}; nothing to compare the port with\n")
            return ORIGINAL
        if not b.ok:
            self.err.write(f"{_name(target)}: verify: the port failed ({_why(b)}), {sides}\n")
        else:
            self.err.write(f"{_name(target)}: verify: different, {sides}\n")
        for line in unified(a.transcript.splitlines(), b.transcript.splitlines(),
                            ("original", "ported")):
            self.err.write(line + "\n")
        return DIFFERENT

    # -- test modules

    def _choose_runner(self) -> None:
        def has_pytest(python: "Interpreter") -> bool:
            try:
                done = self.children.run([python.executable, "-c", "import pytest"], timeout=60,
                                         cwd=self.trees.temp, stdin=subprocess.DEVNULL)
            except OSError:
                return False
            return done.returncode == 0

        found: Dict[str, bool] = {}
        for side in self.sides:
            if side.python.executable not in found:
                found[side.python.executable] = has_pytest(side.python)
        self.lacking = [python for python, has in found.items() if not has]
        self.runner = UNITTEST if self.lacking else PYTEST
        if self.runner == UNITTEST:
            with open(self.driver, "wb") as stream:
                stream.write(driver_source())

    def _batch(self, side: _Side, targets: List[Target]) -> Dict[str, Results]:
        """Run *targets* (test modules) in one process of *side*; their results by path."""
        self.reports += 1
        report = os.path.join(self.trees.temp, f"results-{self.reports}-{side.name}")
        project = self.trees.project(side.name)
        if self.runner == PYTEST:
            where = {t.path: os.path.relpath(self.trees.inside(t.path, side.name), project)
                     for t in targets}
            run = self._run(side, "", ["-m", "pytest"] + pytest_args(
                list(where.values()), report, project), project)
            found = read_junit(report)
            dotted = {path: os.path.splitext(relative)[0].replace(os.sep, ".")
                      for path, relative in where.items()}
        else:
            run = self._run(side, "", unittest_args(self.driver, [t.module for t in targets],
                                                    report), project,
                            first=[t.base for t in targets])
            found = read_unittest(report)
            dotted = {t.path: t.module for t in targets}
        if found is None:
            problem = (f"killed after the {run.timeout:g} s timeout" if run.timed_out
                       else f"{self.runner} wrote no results: {_why(run)}")
            return {t.path: Results({}, problem) for t in targets}
        return {path: Results(outcomes) for path, outcomes in split(found, dotted).items()}

    def tests(self, targets: List[Target]) -> Dict[str, str]:
        """Run the test modules in both copies; report; return their verdicts by path."""
        if not targets:
            return {}
        self._choose_runner()
        verdicts: Dict[str, str] = {}
        runnable = []
        for target in targets:
            if self.runner == UNITTEST and target.style == PYTEST_STYLE:
                self.err.write(f"{_name(target)}: verify: not verified: its tests need pytest, "
                               f"which {_and(self.lacking)} cannot import; install pytest "
                               "there\n")
                verdicts[target.path] = UNVERIFIED
            else:
                runnable.append(target)
        if not runnable:
            return verdicts
        a, b = (self._batch(side, runnable) for side in self.sides)
        # a process that left no results (it crashed, or ran out of time): each module alone
        for target in runnable:
            if len(runnable) > 1 and (a[target.path].problem or b[target.path].problem):
                a[target.path], b[target.path] = (self._batch(side, [target])[target.path]
                                                  for side in self.sides)
        for target in runnable:
            verdicts[target.path] = self._verdict(target, a[target.path], b[target.path])
        return verdicts

    def _verdict(self, target: Target, a: Results, b: Results) -> str:
        sides = _sides(self.column)
        problem = collection_error(a)
        if problem:
            self.err.write(f"{_name(target)}: verify: the original's tests do not run ({problem}), "
                           f"{sides}; nothing to compare the port with\n")
            return ORIGINAL
        problem = collection_error(b)
        if problem:
            self.err.write(f"{_name(target)}: verify: the port's tests do not run ({problem}), "
                           f"{sides}\n")
            return DIFFERENT
        differences = compare(a.outcomes, b.outcomes)
        if not differences:
            self.err.write(f"{_name(target)}: verify: same test results ({counts(a.outcomes)}), "
                           f"{sides}\n")
            return SAME
        self.err.write(f"{_name(target)}: verify: different test results, {sides}:\n")
        for line in differences:
            self.err.write(f"  {line}\n")
        return DIFFERENT


def _sources(outcomes: Sequence[Outcome]) -> Dict[str, Tuple[bytes, ...]]:
    """Return each file of the run (not stdin): its code after the port, then before."""
    found: Dict[str, Tuple[bytes, ...]] = {}
    for outcome in outcomes:
        if outcome.path == "-":
            continue
        try:
            with open(outcome.path, "rb") as stream:
                old = stream.read()
        except OSError:
            old = b""
        found[outcome.path] = ((outcome.new, old) if outcome.changed and outcome.new is not None
                               else (old,))
    return found


def verify_outcomes(options: Options, outcomes: Sequence[Outcome], column: "Column",
                    children: "Children", err: IO[str]) -> Dict[str, str]:
    """Verify every changed file of the run; return {path: verdict} for each of them.

    Raises:
        TreeError: the tree cannot be copied (a usage error).
    """
    from legacy_coro._children import Interrupted

    changed = {o.path: o.new for o in outcomes
               if o.changed and o.new is not None and o.path != "-"}
    if not changed:
        return {}
    verdicts: Dict[str, str] = {}
    sources = _sources(outcomes)
    root = tree_root([o.path for o in outcomes if o.path != "-"])
    targets, bases = plan(sources, changed, root)
    own: Dict[str, str] = {}
    with Trees(root, lambda: children.stopped) as trees:
        try:
            trees.copy(extra=[path for path in sources if os.path.isfile(path)])
            for path, new in changed.items():
                assert new is not None
                trees.place(path, new)
            trees.move(renames_of([(o.path, o.moved) for o in outcomes if o.moved is not None]))
            verifier = _Verifier(options, column, trees, bases, children, err)
            for target in targets:
                if target.kind == SCRIPT:
                    own[target.path] = verifier.script(target)
            own.update(verifier.tests([t for t in targets if t.kind != SCRIPT]))
        except (Interrupted, InterruptedError):
            return {path: INTERRUPTED for path in changed}
    failed = {path: verdict for path, verdict in own.items() if verdict == DIFFERENT}
    blockers = blocked(targets, failed)
    for path in changed:
        verdict = own.get(path, SAME)
        if verdict == SAME and path in blockers:
            runs = blockers[path]
            err.write(f"{path}: verify: not written: {_and(runs)} "
                      f"{'imports' if len(runs) == 1 else 'import'} it and "
                      f"{'differs' if len(runs) == 1 else 'differ'} after the port\n")
            verdict = BLOCKED
        verdicts[path] = verdict
    return verdicts


def _name(target: Target) -> str:
    """The file a line of the report is about; a file the port did not change runs because it
    imports what did."""
    return target.path if target.changed else f"{target.path} (unchanged, imports changed files)"


def _and(items: List[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

