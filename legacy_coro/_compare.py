"""Run two scripts (or two directories of them) and compare what they print.

Each script runs as a child process ``PYTHON [PYTHON_ARGS] /abs/path/script.py``
(side A under the compat layer, ``PYTHON [PYTHON_ARGS] -m legacy_coro run
/abs/path/script.py``, when asked) with its own directory as the working
directory (so it behaves as ``cd DIR && python script.py`` would, relative files
included), stdin closed, ``PYTHONIOENCODING=utf-8`` and the rest of the
environment inherited.  Its *transcript* is the normalised stdout followed, when
stderr is not empty, by the normalised stderr lines marked ``[stderr] `` -- so
an extra warning or a traceback on one side is a difference like any other.

The children run under :class:`legacy_coro._children.Children`: a SIGINT or
SIGTERM kills every one of them with all they started, and the command reports
what finished.
"""

import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from legacy_coro._children import Children, Interrupted, signal_name
from legacy_coro._normalize import RunWindow, UserRule, normalize

__all__ = [
    "DEFAULT_TIMEOUT",
    "STDERR_MARK",
    "Column",
    "Interpreter",
    "PairResult",
    "RunResult",
    "compare_files",
    "compare_pairs",
    "pair_directories",
    "resolve_python",
    "run_script",
]

DEFAULT_TIMEOUT = 60.0
STDERR_MARK = "[stderr] "

StrPath = Union[str, "os.PathLike[str]"]

# statuses, worst last; a pair's status is the worst that applies
SAME = "same"
DIFFERENT = "different"
FAILED = "failed"
TIMED_OUT = "timed out"
MISSING_A = "missing in A"
MISSING_B = "missing in B"


class Interpreter(NamedTuple):
    """A Python to run the scripts with."""

    label: str  #: as shown in table columns ("3.12" or the path given)
    executable: str


class Column(NamedTuple):
    """Where the two sides of every pair run: one column of a directory table."""

    label: str  #: "3.12", or "3.6/3.13" when side A and side B run on different Pythons
    a: Interpreter
    b: Interpreter
    compat_a: bool = False  #: side A runs under the compat layer (legacy-coro run)

    @classmethod
    def of(cls, python: Union[Interpreter, "Column"]) -> "Column":
        """Return *python* as a column (one interpreter: both sides run on it)."""
        return python if isinstance(python, Column) else cls(python.label, python, python)


class RunResult(NamedTuple):
    """One script run by one interpreter."""

    script: str
    returncode: Optional[int]  #: None when killed on timeout
    timed_out: bool
    duration: float  #: seconds
    stdout: str
    stderr: str
    transcript: str  #: normalised stdout + marked stderr, one "\n" after each line
    timeout: float  #: the limit it ran under, seconds

    @property
    def ok(self) -> bool:
        """True when the script exited 0 within the timeout."""
        return not self.timed_out and self.returncode == 0


class PairResult(NamedTuple):
    """Two scripts of the same name, run in one column."""

    name: str
    column: Column
    status: str
    a: Optional[RunResult]
    b: Optional[RunResult]


def _transcript(stdout: str, stderr: str, normalise: Callable[[str], str]) -> str:
    lines = normalise(stdout).splitlines()
    lines += [STDERR_MARK + line for line in normalise(stderr).splitlines()]
    return "".join(line + "\n" for line in lines)


def run_script(
    script: StrPath,
    python: str = sys.executable,
    *,
    python_args: Sequence[str] = (),
    compat: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    user_rules: Iterable[UserRule] = (),
    normalize_defaults: bool = True,
    skip_rules: Sequence[str] = (),
    children: Optional[Children] = None,
) -> RunResult:
    """Run ``script`` with ``python`` as a child process and return what it did.

    With ``compat`` it runs as ``legacy-coro run`` would run it (``python -m
    legacy_coro run``), with ``LEGACY_CORO_REPORT`` removed from its environment
    so that no porting report is written or printed.

    Raises:
        Interrupted: ``children`` was stopped (a signal) before the script finished.
    """
    given = os.fspath(script)
    path = os.path.abspath(given)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    command = [python, *python_args]
    if compat:
        env.pop("LEGACY_CORO_REPORT", None)
        command += ["-m", "legacy_coro", "run"]
    command.append(path)
    user_rules = tuple(user_rules)
    mono_start, wall_start = time.monotonic(), time.time()
    done = (children or Children()).run(
        command, timeout=timeout, cwd=os.path.dirname(path), env=env,
        stdin=subprocess.DEVNULL)
    mono_end, wall_end = time.monotonic(), time.time()
    window = RunWindow((mono_start, mono_end), (wall_start, wall_end))

    def normalise(text: str) -> str:
        return normalize(
            text,
            scripts=(given, path),
            window=window,
            user_rules=user_rules,
            defaults=normalize_defaults,
            skip=skip_rules,
        )

    return RunResult(
        script=given,
        returncode=done.returncode,
        timed_out=done.timed_out,
        duration=mono_end - mono_start,
        stdout=done.stdout,
        stderr=done.stderr,
        transcript=_transcript(done.stdout, done.stderr, normalise),
        timeout=timeout,
    )


def _status(a: RunResult, b: RunResult) -> str:
    if a.timed_out or b.timed_out:
        return TIMED_OUT
    if not (a.ok and b.ok):
        return FAILED
    return SAME if a.transcript == b.transcript else DIFFERENT


def compare_files(
    a: StrPath,
    b: StrPath,
    python: Union[Interpreter, Column],
    *,
    name: Optional[str] = None,
    **options: Any,
) -> PairResult:
    """Run ``a`` then ``b`` (each on its side's interpreter) and compare their transcripts.

    ``options`` go to :func:`run_script` (python_args, timeout, user_rules,
    normalize_defaults, skip_rules, children).
    """
    column = Column.of(python)
    run_a = run_script(a, column.a.executable, compat=column.compat_a, **options)
    run_b = run_script(b, column.b.executable, **options)
    return PairResult(name or Path(a).name, column, _status(run_a, run_b), run_a, run_b)


def pair_directories(
    dir_a: StrPath, dir_b: StrPath
) -> List[Tuple[str, Optional[Path], Optional[Path]]]:
    """Pair the top-level ``*.py`` files of two directories by name (subdirectories ignored)."""

    def scripts(directory: StrPath) -> Dict[str, Path]:
        return {p.name: p for p in Path(directory).glob("*.py") if p.is_file()}

    in_a, in_b = scripts(dir_a), scripts(dir_b)
    return [(name, in_a.get(name), in_b.get(name)) for name in sorted(set(in_a) | set(in_b))]


def compare_pairs(
    pairs: Sequence[Tuple[str, Optional[Path], Optional[Path]]],
    pythons: Sequence[Union[Interpreter, Column]],
    *,
    jobs: int = 1,
    progress: Optional[Callable[[int, int, PairResult], None]] = None,
    children: Optional[Children] = None,
    **options: Any,
) -> List[PairResult]:
    """Compare every pair in every column, ``jobs`` pairs at a time.

    Results come back in the order of ``pairs`` then ``pythons``; ``progress``
    is called (in this thread) as each finishes with (done, total, result).
    Once ``children`` is stopped no pair starts, the running ones are dropped,
    and what finished is returned; a stopped run returns within a few tenths
    of a second even if a script's descendant escaped the kill and holds a pipe
    (the worker threads are daemons).
    """
    columns = [Column.of(python) for python in pythons]
    children = children if children is not None else Children()
    work: List[Tuple[str, Optional[Path], Optional[Path], Column]] = [
        (name, a, b, column) for name, a, b in pairs for column in columns
    ]

    def one(item: Tuple[str, Optional[Path], Optional[Path], Column]) -> PairResult:
        name, a, b, column = item
        if a is None:
            return PairResult(name, column, MISSING_A, None, None)
        if b is None:
            return PairResult(name, column, MISSING_B, None, None)
        return compare_files(a, b, column, name=name, children=children, **options)

    todo = iter(range(len(work)))
    take = threading.Lock()
    finished: queue.Queue[Tuple[int, Union[PairResult, BaseException]]] = queue.Queue()

    def worker() -> None:
        while not children.stopped:
            with take:
                index = next(todo, None)
            if index is None:
                return
            try:
                finished.put((index, one(work[index])))
            except Interrupted:
                return
            except BaseException as exc:  # noqa: B036 - handed to the main thread
                finished.put((index, exc))
                return

    threads = [threading.Thread(target=worker, name=f"legacy-coro compare {n}", daemon=True)
               for n in range(max(1, min(jobs, len(work))))]
    for thread in threads:
        thread.start()
    results: List[Optional[PairResult]] = [None] * len(work)
    done = 0
    while done < len(work):
        try:
            index, outcome = finished.get(timeout=0.2)
        except queue.Empty:
            if not any(thread.is_alive() for thread in threads) and finished.empty():
                break  # stopped: every worker has left
            continue
        if isinstance(outcome, BaseException):
            children.stop()
            raise outcome
        done += 1
        results[index] = outcome
        if progress is not None:
            progress(done, len(work), outcome)
    return [r for r in results if r is not None]


# ---------------------------------------------------------------- interpreters

_VERSION = re.compile(r"\d+\.\d+")


def _running_version() -> str:
    return "{}.{}".format(*sys.version_info[:2])


def _probe(executable: str, code: str, children: Optional[Children] = None,
           cwd: Optional[str] = None) -> Optional[str]:
    """Return what ``executable -c code`` prints, or None when it fails or does not run."""
    try:
        done = (children or Children()).run([executable, "-c", code], timeout=30, cwd=cwd,
                                            stdin=subprocess.DEVNULL)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _version_of(executable: str, children: Optional[Children] = None) -> Optional[str]:
    """Return "X.Y" for an interpreter that runs, else None."""
    return _probe(executable, "import sys; print('%d.%d' % sys.version_info[:2])", children)


def _version_tuple(label: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in label.split("."))


def install_advice(executable: str) -> str:
    """Say how to install legacy_coro for ``executable`` (it is not on the public index)."""
    python = shlex.quote(executable)
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "setup.cfg").is_file() and (checkout / "pyproject.toml").is_file():
        return (f"install it there from this checkout: "
                f"{python} -m pip install {shlex.quote(str(checkout))}")
    from legacy_coro import __version__

    return (f"install it there from a wheel built in a checkout of legacy_coro (`python -m pip "
            f"wheel --no-deps .`): {python} -m pip install "
            f"legacy_coro-{__version__}-py3-none-any.whl")


def check_compat(python: Interpreter, option: str = "--compat-a",
                 children: Optional[Children] = None, cwd: Optional[str] = None) -> None:
    """Check that ``python`` can run scripts under the compat layer (``-m legacy_coro run``).

    Raises:
        LookupError: with a message saying why not and what to do.
    """
    if _VERSION.fullmatch(python.label) and _version_tuple(python.label) < (3, 8):
        raise LookupError(
            f"{option}: legacy-coro run needs Python 3.8+, and side A runs on Python "
            f"{python.label} ({python.executable}), where old code runs as it is: drop "
            f"{option}")
    code = "import legacy_coro._runner"
    if _probe(python.executable, code, children, cwd) is None:
        raise LookupError(
            f"{option}: {python.executable} cannot import legacy_coro, so it cannot run side A "
            f"under legacy-coro run; {install_advice(python.executable)}")


def _pyenv_root() -> Optional[Path]:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        try:
            out = subprocess.run(
                [pyenv, "root"], capture_output=True, text=True, timeout=30,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None and out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


def _pyenv_candidates(version: str) -> List[str]:
    """Return pyenv's builds of ``version`` (X.Y), newest patch release first.

    Pre-releases and builds from a branch (``3.15.0rc1+``, ``3.15.0a7``) come after
    every final release, newest first: a version that has no final release yet is
    still found, as ``.ci/run`` finds it.
    """
    root = _pyenv_root()
    if root is None:
        return []
    found = []
    for build in (root / "versions").glob(f"{version}.*"):
        patch = re.fullmatch(r"([0-9]+)((?:a|b|rc)[0-9]+\+?|\+)?", build.name[len(version) + 1:])
        exe = build / "bin" / f"python{version}"
        if patch is not None and exe.is_file():
            suffix = patch.group(2) or ""
            found.append((suffix == "", int(patch.group(1)), suffix, str(exe)))
    return [item[-1] for item in sorted(found, reverse=True)]


def resolve_python(spec: str, *, option: str = "--python",
                   children: Optional[Children] = None) -> Interpreter:
    """Resolve ``--python`` SPEC: a path, a command on PATH, or a version like ``3.12``.

    A version is looked for as the running interpreter, then ``pythonX.Y`` on
    PATH, then ``$(pyenv root)/versions/X.Y.*/bin/pythonX.Y`` (newest patch
    first, pre-releases after final releases); each candidate must run and
    report that version.  The label is the version the interpreter reports
    ("3.12").  ``option`` names the option
    in messages; ``children`` runs the probes (so that a signal stops them).

    Raises:
        LookupError: with a message saying what was tried and what to do.
        Interrupted: ``children`` was stopped.
    """
    if _VERSION.fullmatch(spec):
        candidates: List[str] = []
        if _running_version() == spec:
            candidates.append(sys.executable)
        on_path = shutil.which(f"python{spec}")
        if on_path is not None:
            candidates.append(on_path)
        candidates += _pyenv_candidates(spec)
        for candidate in candidates:
            if _version_of(candidate, children) == spec:
                return Interpreter(spec, candidate)
        raise LookupError(
            f"{option} {spec}: found no working Python {spec} (looked for python{spec} on "
            f"PATH and in pyenv's versions/{spec}.*); install it (e.g. `pyenv install {spec}`) "
            "or pass the interpreter's path"
        )
    executable = spec if (os.sep in spec or "/" in spec) else shutil.which(spec)
    if executable is None or not os.path.isfile(executable):
        raise LookupError(
            f"{option} {spec}: no such interpreter; pass a path to a Python executable, "
            "a command on PATH, or a version such as 3.12"
        )
    version = _version_of(executable, children)
    if version is None:
        raise LookupError(
            f"{option} {spec}: {executable} did not run as a Python interpreter; "
            "pass a working Python executable or a version such as 3.12"
        )
    return Interpreter(version, executable)


# ---------------------------------------------------------------- the command

_COLOURS = {"-": "\033[31m", "<": "\033[31m", "+": "\033[32m", ">": "\033[32m",
            "|": "\033[33m", "@": "\033[36m"}
_RESET = "\033[0m"


class UsageError(Exception):
    """A mistake in the command line; the message says what to do."""


class Options(NamedTuple):
    """What ``legacy-coro compare`` was asked to do (built by ``_cmd_compare``)."""

    paths: Sequence[str]
    pythons: Sequence[str]
    jobs: int
    timeout: float
    python_args: Sequence[str]
    user_rules: Sequence[UserRule]
    normalize_defaults: bool
    diff: bool
    json: bool
    colour: bool
    width: int
    python_a: Optional[str] = None  #: side A's interpreter, for every column
    python_b: Optional[str] = None  #: side B's interpreter, for every column
    compat_a: bool = False  #: run side A under legacy-coro run
    skip_rules: Sequence[str] = ()  #: default normalisation rules not to apply


def default_directories(cwd: Optional[Path] = None) -> Tuple[Path, Path]:
    """Return (examples_legacy, examples_native) from ``cwd``, else from the source checkout."""
    checkout = Path(__file__).resolve().parent.parent
    for base in (cwd or Path.cwd(), checkout):
        legacy, native = base / "examples_legacy", base / "examples_native"
        if legacy.is_dir() and native.is_dir():
            return legacy, native
    raise UsageError(
        "no examples_legacy/ and examples_native/ here or in the source checkout; "
        "run it from the project root or pass two directories (or two .py files)"
    )


def _check_script(path: str) -> None:
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file; pass two existing .py files or two directories")
    if os.path.isdir(path):
        raise UsageError(f"{path} is a directory; pass two .py files or two directories")
    if not path.endswith(".py"):
        raise UsageError(
            f"{path} is not a Python file (.py); pass two .py files or two directories")


def _wrap(text: str, width: int) -> List[str]:
    text = text.expandtabs()
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _paint(text: str, key: str, colour: bool) -> str:
    return f"{_COLOURS[key]}{text}{_RESET}" if colour and key in _COLOURS and text else text


def side_by_side(
    a_lines: Sequence[str],
    b_lines: Sequence[str],
    width: int,
    *,
    titles: Tuple[str, str] = ("A", "B"),
    colour: bool = False,
) -> List[str]:
    """Return two columns, marked ``|`` (changed), ``<`` (only in A), ``>`` (only in B)."""
    import difflib

    column = max(10, (width - 3) // 2)
    rows: List[Tuple[Optional[str], str, Optional[str]]] = []
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            left = a_lines[i1 + k] if i1 + k < i2 else None
            right = b_lines[j1 + k] if j1 + k < j2 else None
            if tag == "equal":
                mark = " "
            else:
                mark = "|" if left is not None and right is not None else (
                    "<" if right is None else ">")
            rows.append((left, mark, right))
    out = [f"{titles[0][:column]:<{column}}   {titles[1][:column]}".rstrip(),
           f"{'-' * column}   {'-' * column}"]
    for left, mark, right in rows:
        lefts, rights = _wrap(left or "", column), _wrap(right or "", column)
        for n in range(max(len(lefts), len(rights))):
            lpart = lefts[n] if n < len(lefts) else ""
            rpart = rights[n] if n < len(rights) else ""
            shown = mark if n == 0 else " "
            line = (f"{_paint(lpart.ljust(column), mark if mark in '|<' else '', colour)}"
                    f" {_paint(shown, mark, colour)} "
                    f"{_paint(rpart, mark if mark in '|>' else '', colour)}")
            out.append(line.rstrip())
    return out


def unified(a_lines: Sequence[str], b_lines: Sequence[str], titles: Tuple[str, str],
            colour: bool = False) -> List[str]:
    """Return a unified diff of two transcripts (empty when they are equal)."""
    import difflib

    out = []
    for line in difflib.unified_diff(list(a_lines), list(b_lines), titles[0], titles[1],
                                     lineterm=""):
        key = line[:1] if not line.startswith(("---", "+++")) else ""
        out.append(_paint(line, key, colour))
    return out


def _exit(run: Optional[RunResult]) -> str:
    if run is None:
        return "-"
    return "killed" if run.returncode is None else str(run.returncode)


_UNDER = "legacy-coro run"


def _where(column: Column) -> str:
    """Return "on Python 3.12", or what each side ran on when that differs."""
    a, b = column.a, column.b
    if a.executable == b.executable:
        under = f", A under {_UNDER}" if column.compat_a else ""
        return f"on Python {a.label}{under}"
    under = f", under {_UNDER}" if column.compat_a else ""
    return f"on Python {a.label} (A{under}) and {b.label} (B)"


def _header(column: Column) -> str:
    a, b = column.a, column.b
    if a.executable == b.executable:
        under = f"; A under {_UNDER}" if column.compat_a else ""
        return f"== Python {a.label} ({a.executable}){under} =="
    under = f"{_UNDER} on " if column.compat_a else ""
    return (f"== A: {under}Python {a.label} ({a.executable}); "
            f"B: Python {b.label} ({b.executable}) ==")


def _verdict(result: PairResult) -> str:
    a, b = result.a, result.b
    where = _where(result.column)
    if a is None or b is None:
        return f"{result.status}: {result.name} {where}"
    if result.status == SAME:
        return f"same: {a.script} and {b.script} print the same transcript {where}"
    if result.status == DIFFERENT:
        a_lines, b_lines = a.transcript.splitlines(), b.transcript.splitlines()
        import difflib

        matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
        changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
                      if tag != "equal")
        return (f"different: {a.script} and {b.script} print different transcripts {where} "
                f"({changed} line{'s differ' if changed != 1 else ' differs'})")
    if result.status == TIMED_OUT:
        killed = [r.script for r in (a, b) if r.timed_out]
        return f"timed out: {' and '.join(killed)} killed after the {a.timeout:g} s timeout {where}"
    failed = [f"{r.script} exited with {r.returncode}" for r in (a, b) if not r.ok]
    return f"failed: {', '.join(failed)} {where} (exit codes {_exit(a)}/{_exit(b)})"


def _run_json(run: Optional[RunResult], with_transcript: bool) -> Optional[Dict[str, Any]]:
    if run is None:
        return None
    data: Dict[str, Any] = {
        "script": run.script,
        "exit_code": run.returncode,
        "timed_out": run.timed_out,
        "duration": round(run.duration, 3),
    }
    if with_transcript:
        data["transcript"] = run.transcript
    return data


def to_json(a: str, b: str, columns: Sequence[Union[Interpreter, Column]],
            results: Sequence[PairResult], interrupted: Optional[str] = None) -> str:
    """Return the results as a JSON document (transcripts only where not the same)."""
    import json

    def side(python: Interpreter) -> Dict[str, str]:
        return {"label": python.label, "executable": python.executable}

    shown = [Column.of(c) for c in columns]
    document = {
        "a": a,
        "b": b,
        "compat_a": any(c.compat_a for c in shown),
        "pythons": [{"label": c.label, "a": side(c.a), "b": side(c.b)} for c in shown],
        "same": interrupted is None and all(r.status == SAME for r in results),
        "interrupted": interrupted,
        "results": [
            {
                "name": r.name,
                "python": r.column.label,
                "status": r.status,
                "a": _run_json(r.a, r.status != SAME),
                "b": _run_json(r.b, r.status != SAME),
            }
            for r in results
        ],
    }
    return json.dumps(document, indent=2)


def _table(rows: List[List[str]]) -> List[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _side_note(columns: Sequence[Column], side: str) -> str:
    """Say what a directory's scripts ran on, when that is not simply "the Python of the column"."""
    if all(c.a.executable == c.b.executable and not c.compat_a for c in columns):
        return ""
    pythons = {getattr(c, side) for c in columns}
    under = f"  under {_UNDER}" if side == "a" and columns[0].compat_a else ""
    if len(pythons) == 1:
        (python,) = pythons
        return f"{under or ' '} on Python {python.label} ({python.executable})"
    return under


def _directory_report(results: Sequence[PairResult], columns: Sequence[Column],
                      a: Path, b: Path, total: int,
                      interrupted: Optional[str] = None) -> List[str]:
    by_name: Dict[str, Dict[Column, PairResult]] = {}
    for result in results:
        by_name.setdefault(result.name, {})[result.column] = result
    lines = [f"A: {a}{_side_note(columns, 'a')}", f"B: {b}{_side_note(columns, 'b')}", ""]
    if not by_name:
        lines.append("(no pair finished)")
    elif len(columns) == 1:
        rows = [["name", f"status ({columns[0].label})", "exit A/B", "seconds A/B"]]
        for name, per_column in by_name.items():
            r = per_column[columns[0]]
            seconds = ("-" if r.a is None or r.b is None
                       else f"{r.a.duration:.2f}/{r.b.duration:.2f}")
            rows.append([name, r.status, f"{_exit(r.a)}/{_exit(r.b)}" if r.a else "-", seconds])
        lines += _table(rows)
    else:
        rows = [["name"] + [c.label for c in columns]]
        for name, per_column in by_name.items():
            cells = []
            for column in columns:
                found = per_column.get(column)
                if found is None:
                    cells.append("not run")
                    continue
                cell = found.status
                if found.a is not None and found.b is not None:
                    if found.status in (FAILED, TIMED_OUT):
                        cell += f" {_exit(found.a)}/{_exit(found.b)}"
                    cell += f" {found.a.duration:.2f}s/{found.b.duration:.2f}s"
                cells.append(cell)
            rows.append([name] + cells)
        lines += _table(rows)
    bad = [r for r in results if r.status != SAME]
    counts: Dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    labels = ", ".join(c.label for c in columns)
    unit = "pairs" if len(columns) == 1 else "pair runs"
    lines.append("")
    lines += _hints(results)
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    if interrupted is not None:
        lines.append(f"verdict: interrupted by {interrupted} after {len(results)} of {total} "
                     f"{unit} on Python {labels}" + (f" ({summary})" if summary else ""))
    elif not bad:
        lines.append(f"verdict: all {len(results)} {unit} same on Python {labels}")
    else:
        summary = ", ".join(f"{n} {status}" for status, n in counts.items() if status != SAME)
        lines.append(f"verdict: {len(bad)} of {len(results)} {unit} not the same on Python "
                     f"{labels} ({summary}); `legacy-coro compare A/NAME.py B/NAME.py` "
                     "shows one pair side by side")
    return lines


def _hints(results: Sequence[PairResult]) -> List[str]:
    """Return a hint for each interpreter whose runs could not import legacy_coro."""
    lacking: Dict[Interpreter, None] = {}
    for r in results:
        for python, run in ((r.column.a, r.a), (r.column.b, r.b)):
            if run is not None and "No module named 'legacy_coro'" in run.stderr:
                lacking[python] = None
    hints = []
    for python in lacking:
        if _VERSION.fullmatch(python.label) and _version_tuple(python.label) < (3, 8):
            hints.append(f"hint: Python {python.label} ({python.executable}) cannot import "
                         "legacy_coro, which needs Python 3.8+; run there only code that does "
                         "not import it (the old code as it was)")
        else:
            hints.append(f"hint: {python.executable} cannot import legacy_coro; "
                         f"{install_advice(python.executable)}")
    return hints


def _file_report(results: Sequence[PairResult], options: Options) -> List[str]:
    lines: List[str] = []
    for result in results:
        assert result.a is not None and result.b is not None
        titles = (result.a.script, result.b.script)
        a_lines, b_lines = result.a.transcript.splitlines(), result.b.transcript.splitlines()
        lines.append(_header(result.column))
        if options.diff:
            lines += unified(a_lines, b_lines, titles, options.colour)
        else:
            lines += side_by_side(a_lines, b_lines, options.width, titles=titles,
                                  colour=options.colour)
        lines += _hints([result])
        lines.append(_verdict(result))
        lines.append("")
    if len(results) > 1:
        bad = [r.column.label for r in results if r.status != SAME]
        lines.append("verdict: same on every interpreter" if not bad
                     else f"verdict: not the same on Python {', '.join(bad)}")
    elif results:
        lines.pop()
    return lines


def _columns(options: Options, children: Children, cwd_a: str) -> List[Column]:
    """Resolve the interpreters: one column per --python, each side fixed by --python-a/-b."""
    pythons = [resolve_python(spec, children=children) for spec in options.pythons]
    if len({p.label for p in pythons}) < len(pythons):  # label them as given
        pythons = [Interpreter(spec, p.executable) for spec, p in zip(options.pythons, pythons)]
    fixed_a = (resolve_python(options.python_a, option="--python-a", children=children)
               if options.python_a else None)
    fixed_b = (resolve_python(options.python_b, option="--python-b", children=children)
               if options.python_b else None)
    if fixed_a is not None and fixed_b is not None and pythons:
        raise LookupError("--python chooses the interpreter of a side that --python-a or "
                          "--python-b does not fix, and they fix both: drop --python")
    if not pythons:
        pythons = [Interpreter(_running_version(), sys.executable)]
    columns = []
    for python in pythons:
        a, b = fixed_a or python, fixed_b or python
        label = a.label if a.executable == b.executable else f"{a.label}/{b.label}"
        columns.append(Column(label, a, b, options.compat_a))
    if options.compat_a:
        for a in dict.fromkeys(c.a for c in columns):
            check_compat(a, "--compat-a", children, cwd_a)
    return columns


def _no_scripts(directory: str) -> bool:
    return not any(p.is_file() for p in Path(directory).glob("*.py"))


def run_compare(options: Options, out: Any = None, err: Any = None) -> int:
    """Do what ``legacy-coro compare`` was asked; return its exit code.

    0 every pair the same, 1 not, 2 usage error, 128 + N when signal N stopped it.
    """
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    children = Children()
    with children.handling_signals():
        try:
            return _run_compare(options, children, out, err)
        except Interrupted:  # while probing the interpreters
            pass
    return _interrupted(children, 0, 0, err)


def _interrupted(children: Children, finished: int, total: int, err: Any) -> int:
    signum = children.signum
    assert signum is not None  # only a signal stops a run that returns
    print(f"legacy-coro compare: interrupted by {signal_name(signum)}: {finished} of {total} "
          "pair runs finished; every script still running was killed, with what it started",
          file=err)
    return 128 + signum


def _run_compare(options: Options, children: Children, out: Any, err: Any) -> int:
    try:
        paths = list(options.paths)
        if not paths:
            paths = [str(p) for p in default_directories()]
        if len(paths) != 2:
            raise UsageError(f"expected two .py files or two directories, got {len(paths)} "
                             "argument(s)")
        directories = [os.path.isdir(p) for p in paths]
        if not all(directories):
            if any(directories):
                raise UsageError("pass two .py files or two directories, not one of each")
            for path in paths:
                _check_script(path)
        elif all(_no_scripts(path) for path in paths):
            raise UsageError(f"no *.py files in {paths[0]} or in {paths[1]} (only the top level "
                             "of each directory is compared); pass two directories of scripts")
        try:
            columns = _columns(options, children,
                               paths[0] if directories[0] else os.path.dirname(paths[0]) or ".")
        except LookupError as exc:
            raise UsageError(str(exc)) from None
    except UsageError as exc:
        print(f"legacy-coro compare: error: {exc}", file=err)
        return 2

    run_options: Dict[str, Any] = dict(
        timeout=options.timeout, python_args=tuple(options.python_args),
        user_rules=tuple(options.user_rules), normalize_defaults=options.normalize_defaults,
        skip_rules=tuple(options.skip_rules), children=children)
    jobs = options.jobs or os.cpu_count() or 1
    a, b = paths
    if all(directories):
        pairs = pair_directories(a, b)
        total = len(pairs) * len(columns)
        show_progress = not options.json and hasattr(err, "isatty") and err.isatty()

        def progress(done: int, total: int, result: PairResult) -> None:
            err.write(f"\r\033[K[{done}/{total}] {result.name} ({result.column.label}): "
                      f"{result.status}")
            err.flush()

        results = compare_pairs(pairs, columns, jobs=jobs,
                                progress=progress if show_progress else None, **run_options)
        if show_progress:
            err.write("\r\033[K")
            err.flush()
        signame = signal_name(children.signum) if children.signum else None
        text = (to_json(a, b, columns, results, signame) if options.json
                else "\n".join(_directory_report(results, columns, Path(a), Path(b), total,
                                                 signame)))
    else:
        total = len(columns)
        results = compare_pairs([(Path(a).name, Path(a), Path(b))], columns,
                                jobs=jobs, **run_options)
        signame = signal_name(children.signum) if children.signum else None
        text = (to_json(a, b, columns, results, signame) if options.json
                else "\n".join(_file_report(results, options)))
    if text:
        print(text, file=out)
    if children.signum is not None:
        out.flush()
        return _interrupted(children, len(results), total, err)
    return 0 if results and all(r.status == SAME for r in results) else 1
