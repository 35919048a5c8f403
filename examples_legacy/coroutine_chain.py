"""One coroutine waits for others, in order, and uses their results.

The asyncio chapter's asyncio_coroutine_chain.py; its generator-based form
(asyncio_generator.py, written with @asyncio.coroutine) is the legacy file.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
from legacy_coro import coroutine


@coroutine
def outer():
    print('in outer')
    print('waiting for result1')
    result1 = yield from phase1()
    print('waiting for result2')
    result2 = yield from phase2(result1)
    return (result1, result2)


@coroutine
def phase1():
    print('in phase1')
    return 'result1'


@coroutine
def phase2(arg):
    print('in phase2')
    return 'result2 derived from {}'.format(arg)


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    return_value = event_loop.run_until_complete(outer())
    print('return value: {!r}'.format(return_value))
finally:
    event_loop.close()
