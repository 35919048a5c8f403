"""run_until_complete() also takes a Future, here completed by a callback.

The asyncio chapter's asyncio_future_event_loop.py.  It has no coroutine, so
the program is the same in both styles.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio


def mark_done(future, result):
    print('setting future result to {!r}'.format(result))
    future.set_result(result)


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    # Changed from the book: a Future made outside a running loop looks its
    # loop up with get_event_loop() (see above), so it is given the loop.
    all_done = asyncio.Future(loop=event_loop)

    print('scheduling mark_done')
    event_loop.call_soon(mark_done, all_done, 'the result')

    print('entering event loop')
    result = event_loop.run_until_complete(all_done)
    print('returned result: {!r}'.format(result))
finally:
    print('closing event loop')
    event_loop.close()

print('future result: {!r}'.format(all_done.result()))
