"""Make uvloop the event loop of every Python process of the ``uvloop`` tox env.

That env puts this directory on PYTHONPATH and sets LEGACY_CORO_LOOP=uvloop,
so the subprocesses the tests start (examples, ``legacy-coro compare``,
interrupt scripts) run on uvloop as the test process does (tests/conftest.py).
"""

import os

if os.environ.get("LEGACY_CORO_LOOP") == "uvloop":
    import asyncio
    import warnings

    import uvloop

    with warnings.catch_warnings():
        # 3.14 deprecates event loop policies; uvloop still selects itself this way.
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
