"""Suite-wide settings: hypothesis budgets and the event loop implementation.

Hypothesis profiles: "default" (random exploration) and "ci" (derandomised, so
a CI run checks the same programs every time and a failure reproduces).  The
profile is HYPOTHESIS_PROFILE if set, else "ci" when the CI variable is set.
Both check the same number of programs; LEGACY_CORO_DIFF_EXAMPLES raises it
(e.g. ``LEGACY_CORO_DIFF_EXAMPLES=5000 pytest tests/test_differential.py``).

LEGACY_CORO_LOOP=uvloop makes uvloop the event loop of the whole suite (the
``uvloop`` tox env sets it): asyncio.run() and new_event_loop() then build
uvloop loops.  Subprocesses get it from tests/_uvloop_site/sitecustomize.py,
which that env puts on PYTHONPATH.
"""

import os
import warnings

from hypothesis import HealthCheck, settings

#: legacy programs the tests port and run (tests/data/*/test_*.py is such a program's own
#: test module, in 2015's syntax: not a module of this suite)
collect_ignore_glob = ["data/*"]

#: Generated programs per run of each differential property (both profiles).
DIFF_EXAMPLES = int(os.environ.get("LEGACY_CORO_DIFF_EXAMPLES", "300"))

_common = dict(
    max_examples=DIFF_EXAMPLES,
    deadline=None,  # a generated program's run time is no property of it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("default", **_common)
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_common)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)

#: The event loop implementation the suite runs on: "asyncio" or "uvloop".
LOOP = os.environ.get("LEGACY_CORO_LOOP", "asyncio")


def pytest_configure(config):
    if LOOP == "uvloop":
        import asyncio

        import uvloop

        with warnings.catch_warnings():
            # 3.14 deprecates event loop policies; uvloop still selects itself this way.
            warnings.simplefilter("ignore", DeprecationWarning)
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    elif LOOP != "asyncio":
        raise ValueError(f"LEGACY_CORO_LOOP must be 'asyncio' or 'uvloop', not {LOOP!r}")


def pytest_report_header(config):
    return f"legacy_coro: event loop {LOOP}, {DIFF_EXAMPLES} generated programs per property"
