"""Read a child process's output line by line with create_subprocess_exec().

Not in the book's excerpt.  The child is this same Python interpreter
(sys.executable) running a short program, so it exists on every platform.
"""

import asyncio
import sys

CHILD = (
    "import sys\n"
    "for i in range(3):\n"
    "    print('line', i, flush=True)\n"
    "sys.exit(3)\n"
)


async def run_child():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, '-c', CHILD,
        stdout=asyncio.subprocess.PIPE,
    )
    print('parent: child started')
    lines = []
    while True:
        line = await proc.stdout.readline()
        if not line:
            break
        text = line.decode().rstrip()
        print(f'parent: read {text!r}')
        lines.append(text)
    return_code = await proc.wait()
    print(f'parent: child exited with code {return_code}')
    return lines


async def main():
    lines = await run_child()
    print(f'parent: {len(lines)} lines in all')


asyncio.run(main())
