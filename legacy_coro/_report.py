"""The porting report: where old code used a behaviour that install() restored.

A :class:`Recorder` is handed to :func:`legacy_coro.install` as ``record``;
the recording variants of the patches call it.  Each use is attributed to the
first frame outside asyncio and legacy_coro -- the user's line -- and counted.
At exit the runner prints :func:`render_table` to stderr or writes
:func:`render_json` to a file.
"""

import json
import os
import sys
import threading
from typing import Dict, List, NamedTuple, Tuple

from legacy_coro._versions import change

__all__ = ["Recorder", "Use", "render_json", "render_table"]

_ASYNCIO_DIR = os.path.dirname(os.__file__) + os.sep + "asyncio" + os.sep
_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class Use(NamedTuple):
    """One line of the report."""

    file: str
    line: int
    api: str  #: what the old code used, e.g. ``asyncio.sleep(loop=)``
    key: str  #: the change's key in legacy_coro._versions
    count: int  # type: ignore[assignment]  # a field, shadowing tuple.count

    @property
    def removed_in(self) -> str:
        """The Python version that removed the behaviour, as "3.N"."""
        return change(self.key).label


def _user_location(depth: int) -> Tuple[str, int]:
    """Return file and line of the first caller outside asyncio and legacy_coro."""
    frame = sys._getframe(depth)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_ASYNCIO_DIR) or filename.startswith(_OWN_DIR)):
            return filename, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return "<unknown>", 0


class Recorder:
    """Counts uses of restored behaviours by (file, line, api)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Dict[Tuple[str, int, str, str], int] = {}

    def record(self, api: str, key: str) -> None:
        """Count one use of *api* (restored by change *key*) at the caller's line."""
        filename, line = _user_location(2)
        with self._lock:
            where = (filename, line, api, key)
            self._counts[where] = self._counts.get(where, 0) + 1

    def uses(self) -> List[Use]:
        """Return the uses recorded so far, sorted by file, line and API."""
        with self._lock:
            items = sorted(self._counts.items())
        return [Use(f, line, api, key, count) for (f, line, api, key), count in items]


def _display(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith(os.pardir) else relative


def render_table(uses: List[Use]) -> str:
    """Return the report as a text table, one line per file:line and API."""
    version = ".".join(str(n) for n in sys.version_info[:3])
    if not uses:
        return f"legacy-coro porting report (Python {version}): no restored behaviour was used\n"
    rows = [("where", "uses", "count", "removed in")] + [
        (f"{_display(u.file)}:{u.line}", u.api, str(u.count), u.removed_in) for u in uses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    total = sum(u.count for u in uses)
    lines = [
        f"legacy-coro porting report (Python {version}): {total} use(s) at "
        f"{len({(u.file, u.line) for u in uses})} place(s) need porting"
    ]
    for i, row in enumerate(rows):
        where, api, count, removed = row
        lines.append(
            f"  {where:<{widths[0]}}  {api:<{widths[1]}}  {count:>{widths[2]}}  {removed}".rstrip()
        )
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def render_json(uses: List[Use]) -> str:
    """Return the report as JSON (a list of uses, sorted by file and line)."""
    return json.dumps(
        {
            "python": ".".join(str(n) for n in sys.version_info[:3]),
            "uses": [
                {
                    "file": u.file, "line": u.line, "api": u.api, "count": u.count,
                    "removed_in": u.removed_in, "change": u.key,
                }
                for u in uses
            ],
        },
        indent=2,
    ) + "\n"
