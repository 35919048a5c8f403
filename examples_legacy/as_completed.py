"""asyncio.as_completed() yields results in the order the operations finish.

The asyncio chapter's asyncio_as_completed.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
from legacy_coro import coroutine


@coroutine
def phase(i):
    print('in phase {}'.format(i))
    yield from asyncio.sleep(0.5 - (0.1 * i))
    print('done with phase {}'.format(i))
    return 'phase {} result'.format(i)


@coroutine
def main(num_phases):
    print('starting main')
    # Changed from the book: as_completed() wraps bare coroutines in tasks in
    # the order of a set, so the phases started in a different order on each
    # run; wrapping them in Tasks here starts them in list order.
    phases = [
        asyncio.ensure_future(phase(i))
        for i in range(num_phases)
    ]
    print('waiting for phases to complete')
    results = []
    for next_to_complete in asyncio.as_completed(phases):
        answer = yield from next_to_complete
        print('received answer {!r}'.format(answer))
        results.append(answer)
    print('results: {!r}'.format(results))
    return results


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(3))
finally:
    event_loop.close()
