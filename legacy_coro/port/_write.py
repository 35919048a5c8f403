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
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from legacy_coro.port._pipeline import Outcome
from legacy_coro.port._tree import renames_of

__all__ = ["write"]


def write(outcomes: List[Outcome], wanted: Sequence[int], blocked: Optional[str]
          ) -> Tuple[Set[str], Optional[str]]:
    """Write the outcomes at the indices *wanted* and carry out every move of the run.

    A file that cannot be written becomes an "io" error outcome.  *blocked*
    (why the run may not rename: a file was not ported) stops a run that
    renames from writing anything.  Returns the paths written or moved, and
    what was not done and why (None: all was).
    """
    moves = [(o.path, o.moved) for o in outcomes if o.moved is not None and o.error is None]
    if not moves:
        return {outcomes[index].path for index in wanted if _in_place(outcomes, index)}, None
    shown = ", ".join(f"{old} -> {new}" for old, new in moves[:3]) + (
        ", ..." if len(moves) > 3 else "")
    if blocked:
        return set(), f"nothing written: the run renames modules ({shown}), and {blocked}"
    problem = _all_or_nothing(outcomes, wanted, moves, shown)
    if problem is not None:
        return set(), problem
    return {outcomes[index].path for index in wanted} | {old for old, _ in moves}, None


def _in_place(outcomes: List[Outcome], index: int) -> bool:
    outcome = outcomes[index]
    assert outcome.new is not None
    try:
        with open(outcome.path, "wb") as stream:
            stream.write(outcome.new)
    except OSError as exc:
        outcomes[index] = Outcome(outcome.path, error=("io", f"cannot write: {exc.strerror}"),
                                  lines=outcome.lines)
        return False
    return True


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
