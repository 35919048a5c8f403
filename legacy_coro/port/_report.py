"""The report of ``legacy-coro port``: text on stderr, or JSON on stdout."""

import json
from typing import IO, AbstractSet, Any, Dict, List, Optional, Sequence, Tuple

from legacy_coro.port._options import Options
from legacy_coro.port._pipeline import Outcome
from legacy_coro.port._reasons import ERROR_CODES, REASONS

__all__ = ["EXIT_CHANGED", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "plural", "report"]

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report(options: Options, outcomes: List[Outcome], stdin_new: Optional[bytes],
           failed_verify: Dict[str, str], out: IO[str], err: IO[str],
           written: AbstractSet[str] = frozenset(),
           verdicts: Optional[Dict[str, str]] = None, unwritten: Optional[str] = None) -> int:
    """Print the report; return the exit status.

    ``failed_verify`` maps the files --verify did not approve to why, ``written`` holds the
    files written (or moved), ``verdicts`` what --verify said of each changed file,
    ``unwritten`` why a run that renames modules wrote nothing.
    """
    sites: List[Tuple[str, int, str, str]] = []
    for outcome in outcomes:
        sites.extend((outcome.path, line, code, detail) for line, code, detail in outcome.sites)
    sites.sort()
    errors = sum(1 for s in sites if s[2] in ERROR_CODES)
    changed = [o for o in outcomes if o.changed and o.path not in failed_verify]
    failures = [o for o in outcomes if o.error is not None]
    status = EXIT_OK
    if changed or errors or failed_verify:
        status = EXIT_CHANGED
    if any(o.error[0] != "internal" for o in failures if o.error):
        status = EXIT_USAGE
    if {"original", "unverified"} & set(failed_verify.values()) or unwritten:
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
    verb = "would be changed" if (options.diff or options.check or unwritten) else "changed"
    summary = (f"{plural(len(changed), 'file')} {verb}, "
               f"{plural(sum(o.converted for o in outcomes), 'function')} converted, "
               f"{plural(len(sites), 'site')} left with reasons")
    if errors:
        summary += f", {plural(errors, 'error')}"
    if failures:
        summary += f", {plural(len(failures), 'file')} not ported"
    kinds = list(failed_verify.values())
    if kinds.count("different"):
        summary += (f", {plural(kinds.count('different'), 'file')} failed verification "
                    "(not written)")
    if kinds.count("original"):
        summary += (f", {plural(kinds.count('original'), 'file')} not verified: the original "
                    "does not run (not written)")
    if kinds.count("blocked"):
        summary += (f", {plural(kinds.count('blocked'), 'file')} not written: imported by a "
                    "run that differs")
    if kinds.count("unverified"):
        summary += f", {plural(kinds.count('unverified'), 'file')} not verified (not written)"
    if kinds.count("interrupted"):
        summary += f", {plural(kinds.count('interrupted'), 'file')} not verified: interrupted"
    if unwritten:
        summary += f"; {unwritten}"
    if options.json:
        # stdin's port is written to stdout in the modes that write: in JSON, its "output"
        document = _json(outcomes, sites, summary, status, written,
                         verdicts if options.verify else None,
                         None if options.diff or options.check else stdin_new)
        out.write(json.dumps(document, indent=2) + "\n")
        return status
    for outcome in outcomes:
        if outcome.error is not None:
            err.write(f"{outcome.path}: {outcome.error[1]}\n")
        elif outcome.path in written:
            err.write(f"Rewriting {outcome.path}\n" if outcome.moved is None else
                      f"Renaming {outcome.path} to {outcome.moved}"
                      f"{' and rewriting it' if outcome.new is not None else ''}\n")
        elif outcome.changed and options.check:
            err.write(f"would rewrite {outcome.path}\n" if outcome.moved is None else
                      f"would rename {outcome.path} to {outcome.moved}"
                      f"{' and rewrite it' if outcome.new is not None else ''}\n")
    lines = [(path, line, f"{code} {REASONS[code]}" + (f" [{detail}]" if detail else ""))
             for path, line, code, detail in sites]
    lines += [(o.path, line, f"note: converted the undecorated generator {name} too: every "
               "use of it is a yield from inside a coroutine, or a task")
              for o in outcomes for line, name in o.notes]
    for path, line, text in sorted(lines):
        err.write(f"{path}:{line}: {text}\n")
    err.write(summary + "\n")
    return status


def _json(outcomes: Sequence[Outcome], sites: Sequence[Tuple[str, int, str, str]],
          summary: str, status: int, written: AbstractSet[str],
          verdicts: Optional[Dict[str, str]], stdin_new: Optional[bytes]) -> Dict[str, Any]:
    by_path: Dict[str, List[Dict[str, Any]]] = {}
    for path, line, code, detail in sites:
        by_path.setdefault(path, []).append(
            {"line": line, "code": code, "message": REASONS[code], "detail": detail,
             "severity": "error" if code in ERROR_CODES else "warning"})
    files = []
    for o in outcomes:
        entry: Dict[str, Any] = {
            "path": o.path, "changed": o.changed, "written": o.path in written,
            "converted": o.converted, "error": o.error[1] if o.error else None,
            "sites": by_path.get(o.path, []),
            "helpers_converted": [{"line": line, "name": name} for line, name in o.notes]}
        if o.moved is not None:
            entry["moved_to"] = o.moved
        if verdicts is not None:
            entry["verify"] = verdicts.get(o.path)
        if o.path == "-" and stdin_new is not None:
            entry["output"] = stdin_new.decode("utf-8", "surrogateescape")
        files.append(entry)
    return {
        "files": files,
        "summary": {
            "files_changed": sum(1 for o in outcomes if o.changed),
            "files_written": len(written),
            "functions_converted": sum(o.converted for o in outcomes),
            "sites": len(sites),
            "errors": sum(1 for s in sites if s[2] in ERROR_CODES),
            "files_not_ported": sum(1 for o in outcomes if o.error),
            "text": summary,
        },
        "exit_status": status,
    }
