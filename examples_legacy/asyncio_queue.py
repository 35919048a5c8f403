"""A bounded asyncio.Queue between one producer and several consumers.

The asyncio chapter's asyncio_queue.py, under the book's own file name: a
file named queue.py would shadow the standard library's queue module for
every program in this directory (concurrent.futures imports it).
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
from legacy_coro import coroutine


@coroutine
def consumer(n, q):
    print('consumer {}: starting'.format(n))
    while True:
        print('consumer {}: waiting for item'.format(n))
        item = yield from q.get()
        print('consumer {}: has item {}'.format(n, item))
        if item is None:
            # None is the signal to stop.
            q.task_done()
            break
        else:
            # Changed from the book: 0.1 s per unit instead of 0.01 s.  The
            # order of the lines below depends on which sleep ends first;
            # 10 ms apart, a busy machine sometimes swapped two of them.
            yield from asyncio.sleep(0.1 * item)
            q.task_done()
    print('consumer {}: ending'.format(n))


@coroutine
def producer(q, num_workers):
    print('producer: starting')
    # Add some numbers to the queue to simulate jobs
    for i in range(num_workers * 3):
        yield from q.put(i)
        print('producer: added task {} to the queue'.format(i))
    # Add None entries in the queue
    # to signal the consumers to exit
    print('producer: adding stop signals to the queue')
    for i in range(num_workers):  # noqa: B007 (the book names it)
        yield from q.put(None)
    print('producer: waiting for queue to empty')
    yield from q.join()
    print('producer: ending')


@coroutine
def main(loop, num_consumers):
    # Create the queue with a fixed size so the producer
    # will block until the consumers pull some items out.
    q = asyncio.Queue(maxsize=num_consumers)

    # Scheduled the consumer tasks.
    consumers = [
        loop.create_task(consumer(i, q))
        for i in range(num_consumers)
    ]

    # Schedule the producer task.
    prod = loop.create_task(producer(q, num_consumers))

    # Wait for all of the coroutines to finish.
    yield from asyncio.wait(consumers + [prod])


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(event_loop, 2))
finally:
    event_loop.close()
