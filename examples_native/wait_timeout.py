"""asyncio.wait() with a timeout; what is still pending afterwards is cancelled.

The asyncio chapter's asyncio_wait_timeout.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio


async def phase(i):
    print('in phase {}'.format(i))
    try:
        await asyncio.sleep(0.1 * i)
    except asyncio.CancelledError:
        print('phase {} canceled'.format(i))
        raise
    else:
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
    print('waiting 0.1 for phases to complete')
    completed, pending = await asyncio.wait(phases, timeout=0.1)
    print('{} completed and {} pending'.format(
        len(completed), len(pending),
    ))
    # Cancel remaining tasks so they do not generate errors
    # as we exit without finishing them.
    if pending:
        print('canceling tasks')
        # Changed from the book: pending is a set, whose order varies from
        # run to run; cancelling in list order keeps the output the same.
        for t in phases:
            if t in pending:
                t.cancel()
    print('exiting main')


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(3))
finally:
    event_loop.close()
