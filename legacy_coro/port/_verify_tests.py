"""The results of test modules for ``port --verify``: which tests passed, failed, errored, skipped.

With pytest (when both interpreters of the run can import it) the modules run as ``python -m
pytest -p no:cacheprovider -q --junitxml=FILE PATH...`` and their results are read from
FILE; without it, as ``python -m unittest MODULE...`` through :mod:`._unittest_outcomes`,
which writes them as JSON. All the modules of a side run in one process (one start-up of
pytest), each alone when that process leaves no results. The original runs as ``python -m
legacy_coro run -m pytest ...`` (or the driver under ``legacy-coro run``) when the layer is
asked for. Results are compared test by test: their transcripts (timings, the order of dots)
are not.
"""

import json
import os
import xml.etree.ElementTree as ElementTree
from typing import Dict, List, NamedTuple, Optional, Tuple

__all__ = ["COLLECTION", "PYTEST", "UNITTEST", "Results", "collection_error", "compare",
           "counts", "driver_source", "pytest_args", "read_junit", "read_unittest", "split",
           "unittest_args"]

PYTEST = "pytest"
UNITTEST = "unittest"

#: an id for a module pytest could not import (its junit report has no test then)
COLLECTION = "(collecting the module)"


class Results(NamedTuple):
    """What a run of one test module found."""

    outcomes: Dict[str, Tuple[str, str]]  #: test id -> (outcome, message)
    problem: str = ""  #: why the module's tests did not run at all ("": they ran)


def pytest_args(paths: List[str], report: str, rootdir: str) -> List[str]:
    """Return the arguments after ``python -m pytest`` for test modules (*paths*, relative to
    *rootdir*, the working directory: the ids in the report are dotted from there)."""
    return ["-p", "no:cacheprovider", "-q", f"--rootdir={rootdir}",
            "--continue-on-collection-errors", f"--junitxml={report}", *paths]


def unittest_args(driver: str, modules: List[str], report: str) -> List[str]:
    """Return the arguments after ``python`` that run test modules with unittest."""
    return [driver, report, *modules]


def split(outcomes: Dict[str, Tuple[str, str]], modules: Dict[str, str]
          ) -> Dict[str, Dict[str, Tuple[str, str]]]:
    """Return the outcomes of each module: *modules* maps a key to the module's dotted name,
    which its test ids start with."""
    found: Dict[str, Dict[str, Tuple[str, str]]] = {key: {} for key in modules}
    longest = sorted(modules.items(), key=lambda item: len(item[1]), reverse=True)
    for test, outcome in outcomes.items():
        head = test.split(" ")[0]
        for key, dotted in longest:
            if head == dotted or head.startswith(dotted + "."):
                found[key][test] = outcome
                break
    return found


def _message(element: ElementTree.Element) -> str:
    """The error of a junit failure/error element: pytest's last ``E`` line, else its message."""
    lines = [line[1:].strip() for line in (element.text or "").splitlines()
             if line.startswith("E ") and line[1:].strip()]
    return lines[-1] if lines else (element.get("message") or "").strip()


def read_junit(report: str) -> Optional[Dict[str, Tuple[str, str]]]:
    """Return the outcomes in pytest's junit XML report (None: no readable report)."""
    try:
        root = ElementTree.parse(report).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    outcomes: Dict[str, Tuple[str, str]] = {}
    for case in root.iter("testcase"):
        classname, name = case.get("classname") or "", case.get("name") or ""
        key = f"{classname}.{name}" if classname else f"{name} {COLLECTION}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag == "error":
                outcome, message = "error", _message(child)
            elif child.tag == "failure" and outcome != "error":
                outcome, message = "failed", _message(child)
            elif child.tag == "skipped" and outcome == "passed":
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
                message = (child.get("message") or "").strip()
        outcomes[key] = (outcome, message)
    return outcomes


def read_unittest(report: str) -> Optional[Dict[str, Tuple[str, str]]]:
    """Return the outcomes :mod:`._unittest_outcomes` wrote (None: no readable report)."""
    try:
        with open(report, encoding="utf-8") as stream:
            data = json.load(stream)
    except (OSError, ValueError):
        return None
    outcomes: Dict[str, Tuple[str, str]] = {}
    for key, (outcome, message) in data.items():
        if key.startswith("unittest.loader._FailedTest."):  # the module did not import
            key = f"{key[len('unittest.loader._FailedTest.'):]} {COLLECTION}"
        outcomes[key] = (outcome, message)
    return outcomes


def collection_error(results: Results) -> str:
    """Return the error that kept the module's tests from running ("" when they ran)."""
    if results.problem:
        return results.problem
    failed = [message for key, (outcome, message) in results.outcomes.items()
              if key.endswith(COLLECTION) and outcome == "error"]
    return f"it does not import: {failed[0]}" if failed else ""


def counts(outcomes: Dict[str, Tuple[str, str]]) -> str:
    """Return "3 passed, 1 skipped" (or "no tests")."""
    found: Dict[str, int] = {}
    for outcome, _ in outcomes.values():
        found[outcome] = found.get(outcome, 0) + 1
    order = ["passed", "failed", "error", "skipped", "xfailed", "xpassed"]
    return ", ".join(f"{found[o]} {o}" for o in order if o in found) or "no tests"


def compare(a: Dict[str, Tuple[str, str]], b: Dict[str, Tuple[str, str]]) -> List[str]:
    """Return one line per test whose outcome differs: ``ID: passed -> failed (message)``."""
    lines = []
    for key in sorted(set(a) | set(b)):
        before = a.get(key, ("not run", ""))
        after = b.get(key, ("not run", ""))
        if before[0] != after[0]:
            why = f" ({after[1]})" if after[1] and after[0] not in ("passed", "not run") else ""
            lines.append(f"{key}: {before[0]} -> {after[0]}{why}")
    return lines


def driver_source() -> bytes:
    """Return the code of :mod:`._unittest_outcomes`, to copy beside the trees."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "_unittest_outcomes.py"),
              "rb") as stream:
        return stream.read()
