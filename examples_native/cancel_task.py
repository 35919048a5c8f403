"""A task cancelled before it starts never runs; waiting for it raises CancelledError.

The asyncio chapter's asyncio_cancel_task.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio


async def task_func():
    print('in task_func')
    return 'the result'


async def main(loop):
    print('creating task')
    task = loop.create_task(task_func())

    print('canceling task')
    task.cancel()

    print('canceled task {!r}'.format(task))
    try:
        await task
    except asyncio.CancelledError:
        print('caught error from canceled task')
    else:
        print('task result: {!r}'.format(task.result()))


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(event_loop))
finally:
    event_loop.close()
