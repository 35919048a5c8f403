"""asyncio.Condition: notify(n) wakes some waiting consumers, notify_all() the rest.

The asyncio chapter's asyncio_condition.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio

# Changed from the book throughout: it holds the condition with the condition
# as an asynchronous context manager.  Generator-based coroutines have no
# spelling of that statement that runs on 3.9+ (the old one, a `with` over
# the acquired condition, was removed in 3.9), so both styles acquire() and
# release() it explicitly in try/finally, which is what that statement does.


async def consumer(condition, n):
    await condition.acquire()
    try:
        print('consumer {} is waiting'.format(n))
        await condition.wait()
        print('consumer {} triggered'.format(n))
    finally:
        condition.release()
    print('ending consumer {}'.format(n))


async def manipulate_condition(condition):
    print('starting manipulate_condition')

    # pause to let consumers start
    await asyncio.sleep(0.1)

    for i in range(1, 3):
        await condition.acquire()
        try:
            print('notifying {} consumers'.format(i))
            condition.notify(n=i)
        finally:
            condition.release()
        await asyncio.sleep(0.1)

    await condition.acquire()
    try:
        print('notifying remaining consumers')
        condition.notify_all()
    finally:
        condition.release()

    print('ending manipulate_condition')


async def main(loop):
    # Create a condition
    condition = asyncio.Condition()

    # Set up tasks watching the condition
    consumers = [
        consumer(condition, i)
        for i in range(5)
    ]

    # Schedule a task to manipulate the condition variable
    loop.create_task(manipulate_condition(condition))

    # Wait for the consumers to be done
    # Changed from the book: asyncio.wait() refuses bare coroutines since
    # 3.11 (TypeError), so each consumer is wrapped in a Task first, which
    # also starts them in list order.
    await asyncio.wait([loop.create_task(c) for c in consumers])


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    result = event_loop.run_until_complete(main(event_loop))
finally:
    event_loop.close()
