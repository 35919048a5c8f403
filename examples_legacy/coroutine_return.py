"""A coroutine's return value is what run_until_complete() returns.

The asyncio chapter's asyncio_coroutine_return.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
from legacy_coro import coroutine


@coroutine
def coroutine():
    print('in coroutine')
    return 'result'


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    return_value = event_loop.run_until_complete(
        coroutine()
    )
    print('it returned: {!r}'.format(return_value))
finally:
    event_loop.close()
