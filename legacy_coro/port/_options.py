"""What ``legacy-coro port`` was asked to do."""

from typing import NamedTuple, Optional, Sequence, Tuple

__all__ = ["DEFAULT_TARGET", "NEWEST", "Options", "TARGETS"]

#: The oldest Python the output may be asked to run on, pyupgrade style (--py38-plus...).
TARGETS: Tuple[Tuple[int, int], ...] = tuple((3, minor) for minor in range(6, 17))
#: The default: the oldest CPython still maintained (3.10 until October 2026's end of
#: its support is past; the port's output runs on every version from it to NEWEST).
DEFAULT_TARGET: Tuple[int, int] = (3, 10)
#: The newest Python the port knows (CPython's main branch): every target's output
#: runs on every version from the target to this one.
NEWEST: Tuple[int, int] = TARGETS[-1]


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
    target: Tuple[int, int] = DEFAULT_TARGET  #: the oldest Python the output must run on
    #: a decorated function that may return an awaitable converts, its values returned
    #: through the helper the port adds (LC018); False: it stays on legacy_coro (LC001)
    result_helper: bool = True
