"""asyncio.Lock guards a shared resource; a callback releases it.

The asyncio chapter's asyncio_lock.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
import functools


def unlock(lock):
    print('callback releasing lock')
    lock.release()


async def coro1(lock):
    print('coro1 waiting for the lock')
    # Changed from the book: it holds the lock with the lock as an
    # asynchronous context manager here.  Generator-based coroutines have no
    # spelling of that statement that runs on 3.9+ (the old one, a `with`
    # over the acquired lock, was removed in 3.9), so both styles acquire and
    # release the lock explicitly, as coro2() does.
    await lock.acquire()
    try:
        print('coro1 acquired lock')
    finally:
        lock.release()
    print('coro1 released lock')


async def coro2(lock):
    print('coro2 waiting for the lock')
    await lock.acquire()
    try:
        print('coro2 acquired lock')
    finally:
        print('coro2 released lock')
        lock.release()


async def main(loop):
    # Create and acquire a shared lock.
    lock = asyncio.Lock()
    print('acquiring the lock before starting coroutines')
    await lock.acquire()
    print('lock acquired: {}'.format(lock.locked()))

    # Schedule a callback to unlock the lock.
    loop.call_later(0.1, functools.partial(unlock, lock))

    # Run the coroutines that want to use the lock.
    print('waiting for coroutines')
    # Changed from the book: asyncio.wait() refuses bare coroutines since
    # 3.11 (TypeError), so each is wrapped in a Task first, which also starts
    # them in list order; the book's stray trailing comma is dropped.
    await asyncio.wait([loop.create_task(coro1(lock)), loop.create_task(coro2(lock))])


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(event_loop))
finally:
    event_loop.close()
