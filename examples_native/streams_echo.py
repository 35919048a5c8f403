"""An echo server and its client over TCP on loopback, with asyncio streams.

Not in the book's excerpt: start_server() and open_connection() in one
program.  The OS picks the port (port 0).  The client sends a line and waits
for its echo before sending the next, so the output has one order.
"""

import asyncio
import functools

MESSAGES = [b'hello\n', b'echo me, please\n', b'bye\n']


async def handle_echo(done, reader, writer):
    # One connection: echo each line until the client closes its end.
    while True:
        data = await reader.readline()
        if not data:
            break
        print(f'server: received {data!r}')
        writer.write(data)
        await writer.drain()
    print('server: client closed the connection')
    writer.close()
    await writer.wait_closed()
    done.set()


async def echo_client(port):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('client: connected')
    for message in MESSAGES:
        print(f'client: sending {message!r}')
        writer.write(message)
        await writer.drain()
        reply = await reader.readline()
        print(f'client: received {reply!r}')
    print('client: closing the connection')
    writer.close()
    await writer.wait_closed()


async def main():
    done = asyncio.Event()
    server = await asyncio.start_server(
        functools.partial(handle_echo, done), '127.0.0.1', 0,
    )
    port = server.sockets[0].getsockname()[1]
    print(f'server: listening on 127.0.0.1 (port chosen by the OS: {port > 0})')

    await echo_client(port)

    # The handler sets the event once it has closed its side.
    await done.wait()
    server.close()
    await server.wait_closed()
    print('server: closed')


asyncio.run(main())
