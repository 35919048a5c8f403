"""asyncio.wait() waits for several background operations to finish.

The asyncio chapter's asyncio_wait.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio


async def phase(i):
    print('in phase {}'.format(i))
    await asyncio.sleep(0.1 * i)
    print('done with phase {}'.format(i))
    return 'phase {} result'.format(i)


async def main(num_phases):
    print('starting main')
    # Changed from the book: asyncio.wait() refuses bare coroutines since
    # 3.11 (TypeError), so each phase is wrapped in a Task first.  That also
    # starts the phases in list order instead of wait()'s set order.
    phases = [
        asyncio.ensure_future(phase(i))
        for i in range(num_phases)
    ]
    print('waiting for phases to complete')
    completed, pending = await asyncio.wait(phases)
    # Changed from the book: `completed` is a set, so its order changes from
    # run to run; the results are sorted to print the same every time.
    results = sorted(t.result() for t in completed)
    print('results: {!r}'.format(results))


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(3))
finally:
    event_loop.close()
