"""asyncio.gather() runs coroutines concurrently and returns their results in order.

The asyncio chapter's asyncio_gather.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio


async def phase1():
    print('in phase1')
    # Changed from the book: sleeps 0.2 s instead of 2 s (and phase2 0.1 s
    # instead of 1 s) to keep the example short; the order is the same.
    await asyncio.sleep(0.2)
    print('done with phase1')
    return 'phase1 result'


async def phase2():
    print('in phase2')
    await asyncio.sleep(0.1)
    print('done with phase2')
    return 'phase2 result'


async def main():
    print('starting main')
    print('waiting for phases to complete')
    results = await asyncio.gather(
        phase1(),
        phase2(),
    )
    print('results: {!r}'.format(results))


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main())
finally:
    event_loop.close()
