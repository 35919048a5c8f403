"""The reason codes of ``legacy-coro port``: one stable identifier per kind of site it reports.

Kept apart from the transform so that ``--help`` and ``--list-reasons`` work
without LibCST installed.
"""

from typing import Dict, Tuple

__all__ = ["REASONS", "ERROR_CODES", "REWRITTEN_CODES", "describe_reasons"]

#: code -> one-line description.  Codes are stable: never renumber, only add.
REASONS: Dict[str, str] = {
    "LC001": "decorated function never yields and may return an awaitable (3.10 awaited it), "
             "and --no-result-helper was given; kept on legacy_coro.coroutine",
    "LC002": "`yield VALUE` inside a coroutine (a Task rejects it); function kept on "
             "legacy_coro.coroutine",
    "LC003": "`yield from` inside an undecorated generator (may be a plain generator); left alone",
    "LC004": "error: an undecorated generator does `yield from` on a coroutine function (one "
             "this run converts to `async def`, or asyncio's own since 3.7, such as sleep()): "
             "`TypeError: cannot 'yield from' a coroutine object in a non-coroutine generator`; "
             "decorate it with @coroutine",
    "LC005": "`asyncio.wait()` given coroutines (3.11 raises TypeError); wrap each in "
             "asyncio.ensure_future()",
    "LC006": "`yield from` of a value that is plainly not awaitable (a list, a range...); "
             "function kept on legacy_coro.coroutine",
    "LC007": "`yield` inside a lambda or a comprehension; left alone",
    "LC008": "function is checked with iscoroutinefunction(), whose answer would change; kept "
             "on legacy_coro.coroutine",
    "LC009": "coroutine decorator called as a function; kept on legacy_coro.coroutine",
    "LC010": "`loop=` argument (removed in 3.10) whose value is not a plain name; left alone",
    "LC011": "`with (yield from X)` with `as` or beside other context managers; function kept "
             "on legacy_coro.coroutine",
    "LC012": "another decorator is applied before @coroutine (the result may not be a "
             "generator function); function kept on legacy_coro.coroutine",
    "LC013": "error: `Task.all_tasks` / `Task.current_task` (removed in 3.9) named other than "
             "in a call (`AttributeError` on 3.9+); left: call asyncio.all_tasks() / "
             "asyncio.current_task() there, knowing that all_tasks() gives pending tasks only",
    "LC014": "`asyncio.get_event_loop()` outside a coroutine (warns on 3.12+ with no loop set, "
             "raises on 3.14+): ported through the _legacy_get_event_loop helper added to the "
             "module, which answers as 3.4-3.11 did (after set_event_loop(None) it makes a "
             "loop where they raised); asyncio.run() may do instead",
    "LC015": "`yield from` of a plain generator (an undecorated generator function, or an "
             "object with `__iter__` and no `__await__`) that `await` would refuse; function "
             "kept on legacy_coro.coroutine",
    "LC016": "`loop=` given outside a coroutine to a call that picks its loop at once before "
             "3.10 (a primitive, a queue, gather, shield, as_completed): without it, 3.8/3.9 "
             "bind to the current loop instead; left (--py310-plus drops it)",
    "LC017": "`@coroutine` on `__await__` (Python refuses an `__await__` that returns a "
             "coroutine), or on an `__iter__` that cannot become `__await__`; kept on "
             "legacy_coro.coroutine",
    "LC018": "decorated function never yields and may return an awaitable (3.10 awaited it): "
             "converted, each such value returned through the _LegacyCoroResult helper added "
             "to the module, which awaits it as 3.10 did; check whether it can be awaitable "
             "and simplify (`return value` if never, `return await value` if always)",
    "LC019": "`async`/`await` used as a name (a SyntaxError since 3.7) renamed across the run, "
             "modules and packages too; code outside the run that uses the old name (an "
             "attribute, keyword, function, module, or the string) must follow",
    "LC020": "`Task.all_tasks()` (removed in 3.9): ported through the _legacy_all_tasks helper "
             "added to the module, which answers as 3.4-3.8 did (finished tasks still "
             "referenced included); asyncio.all_tasks() gives pending tasks only, and is "
             "enough where that does not matter",
    "LC021": "`except Exception` around a yield from / await of a coroutine: before 3.8 it "
             "caught asyncio.CancelledError too (a BaseException since); left: write `except "
             "(Exception, asyncio.CancelledError)` where the handler was meant for cancellation",
    "LC022": "error: the event loop policy API (removed in 3.16: `AttributeError: module "
             "'asyncio' has no attribute 'get_event_loop_policy'`); left: pass a loop factory "
             "instead (`asyncio.run(main(), loop_factory=uvloop.new_event_loop)`, "
             "`asyncio.Runner(loop_factory=...)`), or run the code under legacy-coro run",
}

#: codes that make ``legacy-coro port`` exit non-zero even after rewriting
ERROR_CODES: Tuple[str, ...] = ("LC004", "LC013", "LC022")
#: codes of sites the port rewrote (through a helper it adds, or a rename others must
#: follow): not left, but worth a look; the others are sites left as they were
REWRITTEN_CODES: Tuple[str, ...] = ("LC014", "LC018", "LC019", "LC020")


def describe_reasons(indent: str = "  ") -> str:
    """Return the reason codes, one ``CODE description`` per line."""
    return "".join(f"{indent}{code} {text}\n" for code, text in REASONS.items())
