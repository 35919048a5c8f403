"""What ``legacy-coro port`` was asked to do."""

from typing import NamedTuple, Optional, Sequence, Tuple

__all__ = ["Options"]


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
    target: Tuple[int, int] = (3, 8)  #: the oldest Python the output must run on
    #: a decorated function that may return an awaitable converts, its values returned
    #: through the helper the port adds (LC018); False: it stays on legacy_coro (LC001)
    result_helper: bool = True
