"""create_task() schedules a coroutine as a Task; waiting for it gives its result.

The asyncio chapter's asyncio_create_task.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
from legacy_coro import coroutine


@coroutine
def task_func():
    print('in task_func')
    return 'the result'


@coroutine
def main(loop):
    print('creating task')
    task = loop.create_task(task_func())
    print('waiting for {!r}'.format(task))
    return_value = yield from task
    print('task completed {!r}'.format(task))
    print('return value: {!r}'.format(return_value))


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(event_loop))
finally:
    event_loop.close()
