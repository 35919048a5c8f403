"""The driver of ``legacy-coro port``: files, jobs, diff, check, JSON, verify, the report.

The transform itself is :mod:`legacy_coro._port_transform` (LibCST), imported
only here and only when a file is ported.  Diagnostics go to stderr; stdout
carries only data (the diff, the ported stdin, the JSON report).

Exit status: 0 nothing to change; 1 a file was (or, with ``--check`` /
``--diff``, would be) rewritten, or an error-level site was found (LC004), or
``--verify`` found a difference; 2 a file could not be read or parsed, or the
command line is wrong; 3 internal error (the ported code would not compile;
the file was left untouched).  The highest applicable status wins.
"""

import concurrent.futures
import difflib
import json
import multiprocessing
import os
import sys
import tempfile
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

from legacy_coro._port_reasons import ERROR_CODES, REASONS

if TYPE_CHECKING:  # imported when --verify runs
    from legacy_coro._children import Children
    from legacy_coro._compare import Column, RunResult

__all__ = ["Options", "Outcome", "port_paths", "iter_python_files"]

_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "build", "dist"})

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class Options(NamedTuple):
    """What ``legacy-coro port`` was asked to do (built by ``_cmd_port``)."""

    paths: Sequence[str]
    diff: bool = False
    check: bool = False
    jobs: int = 1
    json: bool = False
    verify: bool = False
    timeout: float = 60.0
    python_a: Optional[str] = None  #: --verify: run the original on this interpreter
    python_b: Optional[str] = None  #: --verify: run the port on this interpreter
    #: --verify: run the original under legacy-coro run (None: unless python_a is given)
    compat_a: Optional[bool] = None


class Outcome(NamedTuple):
    """One file, ported (or not) by a worker."""

    path: str
    changed: bool = False
    converted: int = 0
    converted_names: Tuple[str, ...] = ()
    sites: Tuple[Tuple[int, str, str], ...] = ()
    generator_calls: Tuple[Tuple[int, str], ...] = ()
    error: Optional[Tuple[str, str]] = None  #: (kind, message): kind "io", "parse", "internal"
    new: Optional[bytes] = None  #: the ported bytes, when the caller needs them
    diff: str = ""
    lines: int = 0


def iter_python_files(paths: Sequence[str]) -> Iterator[str]:
    """Yield the ``.py`` files under *paths* (files given by name are yielded as they are)."""
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(root, name)


def _unified(old: bytes, new: bytes, path: str) -> str:
    def lines(data: bytes) -> List[str]:
        return data.decode("utf-8", "surrogateescape").splitlines(keepends=True)

    out = difflib.unified_diff(lines(old), lines(new), f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in out)


def port_bytes(source: bytes, path: str, write: bool, want_new: bool,
               want_diff: bool) -> Outcome:
    """Port one file's bytes and return what happened (the work of one job)."""
    from legacy_coro._port_transform import PortError, port_source

    lines = source.count(b"\n")
    try:
        ported = port_source(source, path)
    except PortError as exc:
        return Outcome(path, error=(exc.kind, str(exc)), lines=lines)
    except RecursionError:
        return Outcome(path, error=("parse", "too deeply nested to port"), lines=lines)
    except Exception as exc:  # a bug of ours must not stop the other files
        return Outcome(path, error=("internal", f"internal error: {type(exc).__name__}: {exc}"),
                       lines=lines)
    if ported.changed and write:
        try:
            with open(path, "wb") as stream:
                stream.write(ported.source)
        except OSError as exc:
            return Outcome(path, error=("io", f"cannot write: {exc.strerror}"), lines=lines)
    return Outcome(
        path,
        ported.changed,
        ported.converted,
        ported.converted_names,
        tuple((s.line, s.code, s.detail) for s in ported.sites),
        ported.generator_calls,
        None,
        ported.source if want_new and ported.changed else None,
        _unified(source, ported.source, path) if want_diff and ported.changed else "",
        lines,
    )


def _port_file(job: Tuple[str, bool, bool, bool]) -> Outcome:
    path, write, want_new, want_diff = job
    try:
        with open(path, "rb") as stream:
            source = stream.read()
    except OSError as exc:
        return Outcome(path, error=("io", f"cannot read: {exc.strerror or exc}"))
    return port_bytes(source, path, write, want_new, want_diff)


def _run_jobs(jobs: List[Tuple[str, bool, bool, bool]], workers: int) -> List[Outcome]:
    if workers == 0:
        workers = os.cpu_count() or 1
    if workers <= 1 or len(jobs) <= 1:
        return [_port_file(job) for job in jobs]
    # spawn, not fork: forking a process that may run threads is unsafe (3.12 warns).
    context = multiprocessing.get_context("spawn")
    workers = min(workers, len(jobs))
    chunk = max(1, min(16, len(jobs) // (workers * 4)))
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(_port_file, jobs, chunksize=chunk))


def _verify_column(options: Options, children: "Children") -> "Column":
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


def _verify(outcome: Outcome, err: IO[str], timeout: float, column: "Column",
            children: "Children") -> str:
    """Run the original and the ported script; report and return "same", "different", "original"."""
    from legacy_coro._compare import compare_files, unified

    assert outcome.new is not None
    directory = os.path.dirname(os.path.abspath(outcome.path))
    fd, ported_path = tempfile.mkstemp(suffix=".py", prefix=".legacy_coro_port_", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(outcome.new)
        result = compare_files(outcome.path, ported_path, column, timeout=timeout,
                               children=children)
    finally:
        os.unlink(ported_path)
    sides = _sides(column)
    if result.status == "same":
        err.write(f"{outcome.path}: verify: same transcript, {sides}\n")
        return "same"
    if result.a is not None and not result.a.ok:
        err.write(f"{outcome.path}: verify: the original does not run ({_why(result.a)}), "
                  f"{sides}; nothing to compare the port with\n")
        return "original"
    if result.b is not None and not result.b.ok:
        err.write(f"{outcome.path}: verify: the port failed ({_why(result.b)}), {sides}\n")
    else:
        err.write(f"{outcome.path}: verify: different, {sides}\n")
    a = result.a.transcript.splitlines() if result.a else []
    b = result.b.transcript.splitlines() if result.b else []
    for line in unified(a, b, ("original", "ported")):
        err.write(line + "\n")
    return "different"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def port_paths(options: Options, out: Optional[IO[str]] = None,
               err: Optional[IO[str]] = None, stdin: Optional[IO[bytes]] = None) -> int:
    """Port every file named by *options*; print the report; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    files = list(iter_python_files(options.paths))
    write = not (options.diff or options.check or options.verify)
    want_new = options.verify
    outcomes: List[Outcome] = []
    stdin_new: Optional[bytes] = None
    if "-" in files:
        source = (stdin or sys.stdin.buffer).read()
        outcome = port_bytes(source, "-", False, True, options.diff)
        stdin_new = outcome.new if outcome.changed else source
        outcomes.append(outcome)
    jobs = [(f, write, want_new, options.diff) for f in files if f != "-"]
    outcomes.extend(_run_jobs(jobs, options.jobs))
    # Verify, then write what --verify approved.
    failed_verify: Dict[str, str] = {}
    if options.verify:
        from legacy_coro._children import Children, Interrupted, signal_name

        children = Children()
        with children.handling_signals():
            try:
                column = _verify_column(options, children)
            except LookupError as exc:
                err.write(f"legacy-coro port: error: {exc}\n")
                return EXIT_USAGE
            except Interrupted:  # while probing: every file below is marked interrupted
                pass
            for outcome in outcomes:
                if not outcome.changed or outcome.path == "-":
                    continue
                if children.stopped:
                    failed_verify[outcome.path] = "interrupted"
                    continue
                try:
                    verdict = _verify(outcome, err, options.timeout, column, children)
                except Interrupted:
                    failed_verify[outcome.path] = "interrupted"
                    continue
                if verdict != "same":
                    failed_verify[outcome.path] = verdict
                elif not (options.diff or options.check):
                    with open(outcome.path, "wb") as stream:
                        assert outcome.new is not None
                        stream.write(outcome.new)
        if children.signum is not None:
            _report(options, outcomes, stdin_new, failed_verify, out, err)
            stopped = sum(1 for kind in failed_verify.values() if kind == "interrupted")
            err.write(f"legacy-coro port: interrupted by {signal_name(children.signum)}: "
                      f"{_plural(stopped, 'file')} not verified and not written; the scripts "
                      "still running were killed, with what they started\n")
            return 128 + children.signum
    return _report(options, outcomes, stdin_new, failed_verify, out, err)


def _report(options: Options, outcomes: List[Outcome], stdin_new: Optional[bytes],
            failed_verify: Dict[str, str], out: IO[str], err: IO[str]) -> int:
    """Print the report; ``failed_verify`` maps the files --verify did not approve to why."""
    converted_names = {name for o in outcomes for name in o.converted_names}
    sites: List[Tuple[str, int, str, str]] = []
    for outcome in outcomes:
        sites.extend((outcome.path, line, code, detail) for line, code, detail in outcome.sites)
        for line, callee in outcome.generator_calls:
            if callee and callee in converted_names:
                sites.append((outcome.path, line, "LC004", callee))
            else:
                sites.append((outcome.path, line, "LC003", callee))
    sites.sort()
    errors = sum(1 for s in sites if s[2] in ERROR_CODES)
    changed = [o for o in outcomes if o.changed and o.path not in failed_verify]
    failures = [o for o in outcomes if o.error is not None]
    status = EXIT_OK
    if changed or errors or failed_verify:
        status = EXIT_CHANGED
    if any(o.error[0] != "internal" for o in failures if o.error):
        status = EXIT_USAGE
    if "original" in failed_verify.values():
        status = max(status, EXIT_USAGE)
    if any(o.error[0] == "internal" for o in failures if o.error):
        status = EXIT_INTERNAL
    for outcome in outcomes:
        if outcome.diff:
            out.write(outcome.diff)
    if stdin_new is not None and not (options.diff or options.check or options.json):
        out.flush()
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            buffer.write(stdin_new)
            buffer.flush()
        else:
            out.write(stdin_new.decode("utf-8", "surrogateescape"))
    verb = "would be changed" if (options.diff or options.check) else "changed"
    summary = (f"{_plural(len(changed), 'file')} {verb}, "
               f"{_plural(sum(o.converted for o in outcomes), 'function')} converted, "
               f"{_plural(len(sites), 'site')} left with reasons")
    if errors:
        summary += f", {_plural(errors, 'error')}"
    if failures:
        summary += f", {_plural(len(failures), 'file')} not ported"
    kinds = list(failed_verify.values())
    if kinds.count("different"):
        summary += (f", {_plural(kinds.count('different'), 'file')} failed verification "
                    "(not written)")
    if kinds.count("original"):
        summary += (f", {_plural(kinds.count('original'), 'file')} not verified: the original "
                    "does not run (not written)")
    if kinds.count("interrupted"):
        summary += f", {_plural(kinds.count('interrupted'), 'file')} not verified: interrupted"
    if options.json:
        out.write(json.dumps(_json(outcomes, sites, summary, status), indent=2) + "\n")
        return status
    for outcome in outcomes:
        if outcome.error is not None:
            err.write(f"{outcome.path}: {outcome.error[1]}\n")
        elif outcome.changed and not (options.diff or options.check):
            if outcome.path != "-" and outcome.path not in failed_verify:
                err.write(f"Rewriting {outcome.path}\n")
        elif outcome.changed and options.check:
            err.write(f"would rewrite {outcome.path}\n")
    for path, line, code, detail in sites:
        suffix = f" [{detail}]" if detail else ""
        err.write(f"{path}:{line}: {code} {REASONS[code]}{suffix}\n")
    err.write(summary + "\n")
    return status


def _json(outcomes: Sequence[Outcome], sites: Sequence[Tuple[str, int, str, str]],
          summary: str, status: int) -> Dict[str, Any]:
    by_path: Dict[str, List[Dict[str, Any]]] = {}
    for path, line, code, detail in sites:
        by_path.setdefault(path, []).append(
            {"line": line, "code": code, "message": REASONS[code], "detail": detail,
             "severity": "error" if code in ERROR_CODES else "warning"})
    return {
        "files": [
            {"path": o.path, "changed": o.changed, "converted": o.converted,
             "error": o.error[1] if o.error else None, "sites": by_path.get(o.path, [])}
            for o in outcomes
        ],
        "summary": {
            "files_changed": sum(1 for o in outcomes if o.changed),
            "functions_converted": sum(o.converted for o in outcomes),
            "sites": len(sites),
            "errors": sum(1 for s in sites if s[2] in ERROR_CODES),
            "files_not_ported": sum(1 for o in outcomes if o.error),
            "text": summary,
        },
        "exit_status": status,
    }
