"""Start a coroutine by passing it to run_until_complete().

The asyncio chapter's asyncio_coroutine.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio


async def coroutine():
    print('in coroutine')


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    print('starting coroutine')
    coro = coroutine()
    print('entering event loop')
    event_loop.run_until_complete(coro)
finally:
    print('closing event loop')
    event_loop.close()
