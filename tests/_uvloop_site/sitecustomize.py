"""Make uvloop the event loop of every Python process of the ``uvloop`` tox env.

That env puts this directory on PYTHONPATH and sets LEGACY_CORO_LOOP=uvloop,
so the subprocesses the tests start (examples, ``legacy-coro compare``,
interrupt scripts) run on uvloop as the test process does (tests/conftest.py).
"""

import os

try:
    # another interpreter than the env's (3.6, running old code as it ran for
    # `compare --python-a 3.6`) has no uvloop: it runs asyncio's own loop
    import uvloop
except ImportError:
    uvloop = None

if os.environ.get("LEGACY_CORO_LOOP") == "uvloop" and uvloop is not None:
    import asyncio
    import warnings

    with warnings.catch_warnings():
        # 3.14 deprecates event loop policies; uvloop still selects itself this way.
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
