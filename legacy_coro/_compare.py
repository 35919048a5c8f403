"""Run two scripts (or two directories of them) and compare what they print.

Each script runs as a child process ``PYTHON [PYTHON_ARGS] /abs/path/script.py``
with its own directory as the working directory (so it behaves as
``cd DIR && python script.py`` would, relative files included), stdin closed,
``PYTHONIOENCODING=utf-8`` and the rest of the environment inherited.  Its
*transcript* is the normalised stdout followed, when stderr is not empty, by
the normalised stderr lines marked ``[stderr] `` -- so an extra warning or a
traceback on one side is a difference like any other.
"""

import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
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

from legacy_coro._normalize import RunWindow, UserRule, normalize

__all__ = [
    "DEFAULT_TIMEOUT",
    "STDERR_MARK",
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
    """Two scripts of the same name, run by one interpreter."""

    name: str
    python: Interpreter
    status: str
    a: Optional[RunResult]
    b: Optional[RunResult]


def _transcript(stdout: str, stderr: str, normalise: Callable[[str], str]) -> str:
    lines = normalise(stdout).splitlines()
    lines += [STDERR_MARK + line for line in normalise(stderr).splitlines()]
    return "".join(line + "\n" for line in lines)


def _kill(process: "subprocess.Popen[str]") -> None:
    """Kill the child and everything it started (process pools, subprocesses)."""
    if sys.platform != "win32":
        try:
            os.killpg(process.pid, signal.SIGKILL)
            return
        except OSError:
            pass
    process.kill()


def run_script(
    script: StrPath,
    python: str = sys.executable,
    *,
    python_args: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    user_rules: Iterable[UserRule] = (),
    normalize_defaults: bool = True,
) -> RunResult:
    """Run ``script`` with ``python`` as a child process and return what it did."""
    given = os.fspath(script)
    path = os.path.abspath(given)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    command = [python, *python_args, path]
    user_rules = tuple(user_rules)
    mono_start, wall_start = time.monotonic(), time.time()
    process = subprocess.Popen(
        command,
        cwd=os.path.dirname(path),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=sys.platform != "win32",
    )
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(process)
        try:
            stdout, stderr = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a grandchild still holds the pipes
            stdout, stderr = "", ""
    except BaseException:
        _kill(process)
        process.wait()
        raise
    mono_end, wall_end = time.monotonic(), time.time()
    window = RunWindow((mono_start, mono_end), (wall_start, wall_end))

    def normalise(text: str) -> str:
        return normalize(
            text,
            scripts=(given, path),
            window=window,
            user_rules=user_rules,
            defaults=normalize_defaults,
        )

    return RunResult(
        script=given,
        returncode=None if timed_out else process.returncode,
        timed_out=timed_out,
        duration=mono_end - mono_start,
        stdout=stdout,
        stderr=stderr,
        transcript=_transcript(stdout, stderr, normalise),
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
    python: Interpreter,
    *,
    name: Optional[str] = None,
    **options: Any,
) -> PairResult:
    """Run ``a`` then ``b`` with ``python`` and compare their transcripts.

    ``options`` go to :func:`run_script` (python_args, timeout, user_rules,
    normalize_defaults).
    """
    run_a = run_script(a, python.executable, **options)
    run_b = run_script(b, python.executable, **options)
    return PairResult(name or Path(a).name, python, _status(run_a, run_b), run_a, run_b)


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
    pythons: Sequence[Interpreter],
    *,
    jobs: int = 1,
    progress: Optional[Callable[[int, int, PairResult], None]] = None,
    **options: Any,
) -> List[PairResult]:
    """Compare every pair under every interpreter, ``jobs`` pairs at a time.

    Results come back in the order of ``pairs`` then ``pythons``; ``progress``
    is called as each finishes with (done, total, result).
    """
    work: List[Tuple[str, Optional[Path], Optional[Path], Interpreter]] = [
        (name, a, b, python) for name, a, b in pairs for python in pythons
    ]

    def one(item: Tuple[str, Optional[Path], Optional[Path], Interpreter]) -> PairResult:
        name, a, b, python = item
        if a is None:
            return PairResult(name, python, MISSING_A, None, None)
        if b is None:
            return PairResult(name, python, MISSING_B, None, None)
        return compare_files(a, b, python, name=name, **options)

    results: List[Optional[PairResult]] = [None] * len(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, item): index for index, item in enumerate(work)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            result = future.result()
            results[futures[future]] = result
            if progress is not None:
                progress(done, len(work), result)
    return [r for r in results if r is not None]


# ---------------------------------------------------------------- interpreters

_VERSION = re.compile(r"\d+\.\d+")


def _running_version() -> str:
    return "{}.{}".format(*sys.version_info[:2])


def _version_of(executable: str) -> Optional[str]:
    """Return "X.Y" for an interpreter that runs, else None."""
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


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
    """Return pyenv's builds of ``version`` (X.Y), newest patch release first."""
    root = _pyenv_root()
    if root is None:
        return []
    found = []
    for build in (root / "versions").glob(f"{version}.*"):
        patch = build.name[len(version) + 1:]
        exe = build / "bin" / f"python{version}"
        if patch.isdigit() and exe.is_file():
            found.append((int(patch), str(exe)))
    return [exe for _, exe in sorted(found, reverse=True)]


def resolve_python(spec: str) -> Interpreter:
    """Resolve ``--python`` SPEC: a path, a command on PATH, or a version like ``3.12``.

    A version is looked for as the running interpreter, then ``pythonX.Y`` on
    PATH, then ``$(pyenv root)/versions/X.Y.*/bin/pythonX.Y`` (newest patch
    first); each candidate must run and report that version.  The label is
    the version the interpreter reports ("3.12").

    Raises:
        LookupError: with a message saying what was tried and what to do.
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
            if _version_of(candidate) == spec:
                return Interpreter(spec, candidate)
        raise LookupError(
            f"--python {spec}: found no working Python {spec} (looked for python{spec} on "
            f"PATH and in pyenv's versions/{spec}.*); install it (e.g. `pyenv install {spec}`) "
            "or pass the interpreter's path"
        )
    executable = spec if (os.sep in spec or "/" in spec) else shutil.which(spec)
    if executable is None or not os.path.isfile(executable):
        raise LookupError(
            f"--python {spec}: no such interpreter; pass a path to a Python executable, "
            "a command on PATH, or a version such as 3.12"
        )
    version = _version_of(executable)
    if version is None:
        raise LookupError(
            f"--python {spec}: {executable} did not run as a Python interpreter; "
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


def _verdict(result: PairResult) -> str:
    a, b = result.a, result.b
    where = f"on Python {result.python.label}"
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


def to_json(a: str, b: str, pythons: Sequence[Interpreter],
            results: Sequence[PairResult]) -> str:
    """Return the results as a JSON document (transcripts only where not the same)."""
    import json

    document = {
        "a": a,
        "b": b,
        "pythons": [{"label": p.label, "executable": p.executable} for p in pythons],
        "same": all(r.status == SAME for r in results),
        "results": [
            {
                "name": r.name,
                "python": r.python.label,
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


def _directory_report(results: Sequence[PairResult], pythons: Sequence[Interpreter],
                      a: Path, b: Path) -> List[str]:
    by_name: Dict[str, List[PairResult]] = {}
    for result in results:
        by_name.setdefault(result.name, []).append(result)
    lines = [f"A: {a}", f"B: {b}", ""]
    if len(pythons) == 1:
        rows = [["name", f"status ({pythons[0].label})", "exit A/B", "seconds A/B"]]
        for name, (r,) in by_name.items():
            seconds = ("-" if r.a is None or r.b is None
                       else f"{r.a.duration:.2f}/{r.b.duration:.2f}")
            rows.append([name, r.status, f"{_exit(r.a)}/{_exit(r.b)}" if r.a else "-", seconds])
    else:
        rows = [["name"] + [p.label for p in pythons]]
        for name, per_python in by_name.items():
            cells = []
            for r in per_python:
                cell = r.status
                if r.a is not None and r.b is not None:
                    if r.status in (FAILED, TIMED_OUT):
                        cell += f" {_exit(r.a)}/{_exit(r.b)}"
                    cell += f" {r.a.duration:.2f}s/{r.b.duration:.2f}s"
                cells.append(cell)
            rows.append([name] + cells)
    lines += _table(rows)
    bad = [r for r in results if r.status != SAME]
    counts: Dict[str, int] = {}
    for r in bad:
        counts[r.status] = counts.get(r.status, 0) + 1
    labels = ", ".join(p.label for p in pythons)
    unit = "pairs" if len(pythons) == 1 else "pair runs"
    lines.append("")
    lines += _hints(results)
    if not bad:
        lines.append(f"verdict: all {len(results)} {unit} same on Python {labels}")
    else:
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        lines.append(f"verdict: {len(bad)} of {len(results)} {unit} not the same on Python "
                     f"{labels} ({summary}); `legacy-coro compare A/NAME.py B/NAME.py` "
                     "shows one pair side by side")
    return lines


def _hints(results: Sequence[PairResult]) -> List[str]:
    """Return a hint for each interpreter whose runs could not import legacy_coro."""
    hints = []
    for python in dict.fromkeys(r.python for r in results):
        if any("No module named 'legacy_coro'" in run.stderr
               for r in results if r.python == python
               for run in (r.a, r.b) if run is not None):
            hints.append(f"hint: {python.executable} cannot import legacy_coro; install it "
                         f"there: {python.executable} -m pip install legacy_coro "
                         "(or -e . from the checkout)")
    return hints


def _file_report(results: Sequence[PairResult], options: Options) -> List[str]:
    lines: List[str] = []
    for result in results:
        assert result.a is not None and result.b is not None
        titles = (result.a.script, result.b.script)
        a_lines, b_lines = result.a.transcript.splitlines(), result.b.transcript.splitlines()
        lines.append(f"== Python {result.python.label} ({result.python.executable}) ==")
        if options.diff:
            lines += unified(a_lines, b_lines, titles, options.colour)
        else:
            lines += side_by_side(a_lines, b_lines, options.width, titles=titles,
                                  colour=options.colour)
        lines += _hints([result])
        lines.append(_verdict(result))
        lines.append("")
    if len(results) > 1:
        bad = [r.python.label for r in results if r.status != SAME]
        lines.append("verdict: same on every interpreter" if not bad
                     else f"verdict: not the same on Python {', '.join(bad)}")
    else:
        lines.pop()
    return lines


def run_compare(options: Options, out: Any = None, err: Any = None) -> int:
    """Do what ``legacy-coro compare`` was asked; return its exit code (0 same, 1 not, 2 usage)."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr

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
        try:
            pythons = ([resolve_python(spec) for spec in options.pythons]
                       or [Interpreter(_running_version(), sys.executable)])
            if len({p.label for p in pythons}) < len(pythons):  # label them as given
                pythons = [Interpreter(spec, p.executable)
                           for spec, p in zip(options.pythons, pythons)]
        except LookupError as exc:
            raise UsageError(str(exc)) from None
    except UsageError as exc:
        print(f"legacy-coro compare: error: {exc}", file=err)
        return 2

    run_options: Dict[str, Any] = dict(
        timeout=options.timeout, python_args=tuple(options.python_args),
        user_rules=tuple(options.user_rules), normalize_defaults=options.normalize_defaults)
    a, b = paths
    if all(directories):
        pairs = pair_directories(a, b)
        show_progress = not options.json and hasattr(err, "isatty") and err.isatty()

        def progress(done: int, total: int, result: PairResult) -> None:
            err.write(f"\r\033[K[{done}/{total}] {result.name} ({result.python.label}): "
                      f"{result.status}")
            err.flush()

        results = compare_pairs(pairs, pythons, jobs=options.jobs,
                                progress=progress if show_progress else None, **run_options)
        if show_progress:
            err.write("\r\033[K")
            err.flush()
        text = (to_json(a, b, pythons, results) if options.json
                else "\n".join(_directory_report(results, pythons, Path(a), Path(b))))
    else:
        results = compare_pairs([(Path(a).name, Path(a), Path(b))], pythons,
                                jobs=options.jobs, **run_options)
        text = (to_json(a, b, pythons, results) if options.json
                else "\n".join(_file_report(results, options)))
    print(text, file=out)
    return 0 if results and all(r.status == SAME for r in results) else 1
