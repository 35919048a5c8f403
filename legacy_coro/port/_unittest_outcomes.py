"""``python _unittest_outcomes.py OUT.json MODULE...``: ``python -m unittest MODULE...``, which
also writes each test's outcome to OUT.json (``port --verify`` without pytest).

``port --verify`` copies this file out of the package and runs it as a script (under
``legacy-coro run`` for the original), on interpreters that may not have legacy_coro, down to
Python 3.6: it imports nothing of legacy_coro and uses no syntax newer than 3.6.

OUT.json: ``{"TEST ID": ["passed" | "failed" | "error" | "skipped" | "xfailed" | "xpassed",
"message"]}``, the message being the last line of the exception (or the skip's reason).
"""

import json
import os
import sys
import traceback
import unittest
from typing import Any, Dict, List, Optional

#: worse outcomes replace better ones (a subtest's failure, then the test's own success)
_RANK = {"passed": 0, "skipped": 1, "xfailed": 1, "xpassed": 2, "failed": 3, "error": 4}


def _last_line(err: Any) -> str:
    lines = traceback.format_exception_only(err[0], err[1])
    return lines[-1].strip() if lines else ""


class _Result(unittest.TextTestResult):
    outcomes: Dict[str, List[str]] = {}

    def _record(self, test: Any, outcome: str, message: str = "") -> None:
        key = test.id()
        known = self.outcomes.get(key)
        if known is None or _RANK[outcome] > _RANK[known[0]]:
            self.outcomes[key] = [outcome, message]

    def addSuccess(self, test: Any) -> None:
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test: Any, err: Any) -> None:
        super().addFailure(test, err)
        self._record(test, "failed", _last_line(err))

    def addError(self, test: Any, err: Any) -> None:
        super().addError(test, err)
        self._record(test, "error", _last_line(err))

    def addSkip(self, test: Any, reason: str) -> None:
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._record(test, "xfailed", _last_line(err))

    def addUnexpectedSuccess(self, test: Any) -> None:
        super().addUnexpectedSuccess(test)
        self._record(test, "xpassed")

    def addSubTest(self, test: Any, subtest: Any, err: Optional[Any]) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._record(test, "failed" if failed else "error", _last_line(err))


def main() -> None:
    out = sys.argv.pop(1)
    # as `python -m unittest` does: the working directory first, not this file's directory
    sys.path[0] = os.getcwd()
    program = unittest.main(module=None, argv=["python -m unittest"] + sys.argv[1:], exit=False,
                            testRunner=unittest.TextTestRunner(resultclass=_Result))  # type: ignore[arg-type]
    with open(out, "w") as stream:
        json.dump(_Result.outcomes, stream)
    sys.exit(not program.result.wasSuccessful())


if __name__ == "__main__":
    main()
