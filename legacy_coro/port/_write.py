"""Write what a run ported: each file in place, and the modules it renames, all or nothing.

A run that renames a module or package named ``async`` (``pkg/async.py`` ->
``pkg/async_.py``) has rewritten its importers to the new name: the files and
the renames stand or fall together.  So such a run writes nothing unless
every file of it ported, writes each new text beside its file first, then
renames (the deepest first, undone if one fails), and only then puts each
new text in place.  A run that renames nothing writes each file in place, as
it always did.
"""

import os
import tempfile
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from legacy_coro.port._pipeline import Outcome

__all__ = ["renames_of", "write"]


def renames_of(moves: Sequence[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """The renames that carry out *moves* (file -> where it goes), the deepest first.

    A package renamed is one rename of its directory, whatever number of its
    files the run holds.
    """
    found = set()
    for old, new in moves:
        old_parts, new_parts = _parts(old), _parts(new)
        if len(old_parts) != len(new_parts):  # pragma: no cover - moved_path keeps the depth
            raise ValueError(f"{old} cannot move to {new}")
        for depth, (before, after) in enumerate(zip(old_parts, new_parts)):
            if before != after:
                found.add((depth, os.path.join(*old_parts[:depth + 1]),
                           os.path.join(*old_parts[:depth], after)))
    return [(old, new) for _, old, new in sorted(found, reverse=True)]


def _parts(path: str) -> List[str]:
    parts: List[str] = []
    while True:
        head, tail = os.path.split(path)
        if not tail:
            if head:
                parts.append(head)
            break
        parts.append(tail)
        path = head
    return parts[::-1]


def write(outcomes: List[Outcome], wanted: Sequence[int], blocked: Optional[str]
          ) -> Optional[str]:
    """Write the outcomes at the indices *wanted* and carry out every move of the run.

    A file that cannot be written becomes an "io" error outcome.  *blocked*
    (why the run may not rename: a file was not ported) stops a run that
    renames from writing anything.  Returns what was not done, and why, or None.
    """
    moves = [(o.path, o.moved) for o in outcomes if o.moved is not None and o.error is None]
    if not moves:
        for index in wanted:
            _in_place(outcomes, index)
        return None
    shown = ", ".join(f"{old} -> {new}" for old, new in moves[:3]) + (
        ", ..." if len(moves) > 3 else "")
    if blocked:
        return f"nothing written: the run renames modules ({shown}), and {blocked}"
    return _all_or_nothing(outcomes, wanted, moves, shown)


def _in_place(outcomes: List[Outcome], index: int) -> None:
    outcome = outcomes[index]
    assert outcome.new is not None
    try:
        with open(outcome.path, "wb") as stream:
            stream.write(outcome.new)
    except OSError as exc:
        outcomes[index] = Outcome(outcome.path, error=("io", f"cannot write: {exc.strerror}"),
                                  lines=outcome.lines)


def _all_or_nothing(outcomes: List[Outcome], wanted: Sequence[int],
                    moves: List[Tuple[str, str]], shown: str) -> Optional[str]:
    staged: Dict[int, str] = {}  # outcome index -> its new text, beside it
    try:
        for index in wanted:
            outcome = outcomes[index]
            assert outcome.new is not None
            staged[index] = _stage(outcome.path, outcome.new)
    except OSError as exc:
        _discard(staged.values())
        return f"nothing written: cannot write beside {outcomes[index].path}: {exc.strerror}"
    done: List[Tuple[str, str]] = []
    try:
        for old, new in renames_of(moves):
            os.rename(old, new)
            done.append((old, new))
    except OSError as exc:
        for old, new in reversed(done):
            os.rename(new, old)
        _discard(staged.values())
        return f"nothing written: cannot rename ({shown}): {exc.strerror}"
    for index, temporary in staged.items():
        outcome = outcomes[index]
        target = outcome.moved or outcome.path
        os.replace(os.path.join(os.path.dirname(target), os.path.basename(temporary)), target)
    return None


def _stage(path: str, data: bytes) -> str:
    """Write *data* to a new file beside *path*, with its mode; return the new file's path."""
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.",
                                         suffix=".legacy-coro", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, os.stat(path).st_mode & 0o7777)
    except OSError:
        os.unlink(temporary)
        raise
    return temporary


def _discard(paths: Iterable[str]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass
