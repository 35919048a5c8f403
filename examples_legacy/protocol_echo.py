"""An echo server and its client over TCP on loopback, with Protocol classes.

Not in the book's excerpt: loop.create_server() and loop.create_connection()
in one program.  The OS picks the port (port 0).  The client sends a message
and waits for its echo before sending the next, so the output has one order.
Only main() is a coroutine: protocols are driven by callbacks.
"""

import asyncio
from legacy_coro import coroutine

MESSAGES = [b'hello', b'echo me, please', b'bye']


class EchoServer(asyncio.Protocol):
    def __init__(self, closed):
        self.closed = closed  # a Future, done when the connection is lost
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        print(f'server: received {data!r}')
        self.transport.write(data)

    def eof_received(self):
        print('server: received EOF')
        # Returning a false value lets the transport close itself.
        return False

    def connection_lost(self, exc):
        print(f'server: connection lost (error: {exc!r})')
        self.closed.set_result(True)


class EchoClient(asyncio.Protocol):
    def __init__(self, messages, closed):
        self.messages = list(messages)
        self.closed = closed  # a Future, done when the connection is lost
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        print('client: connected')
        self.send_next()

    def send_next(self):
        if self.messages:
            message = self.messages.pop(0)
            print(f'client: sending {message!r}')
            self.transport.write(message)
        else:
            print('client: closing the connection')
            self.transport.close()

    def data_received(self, data):
        print(f'client: received {data!r}')
        self.send_next()

    def connection_lost(self, exc):
        print(f'client: connection lost (error: {exc!r})')
        self.closed.set_result(True)


@coroutine
def main():
    loop = asyncio.get_running_loop()
    server_closed = loop.create_future()
    client_closed = loop.create_future()

    server = yield from loop.create_server(
        lambda: EchoServer(server_closed), '127.0.0.1', 0,
    )
    port = server.sockets[0].getsockname()[1]
    print(f'server: listening on 127.0.0.1 (port chosen by the OS: {port > 0})')

    yield from loop.create_connection(
        lambda: EchoClient(MESSAGES, client_closed), '127.0.0.1', port,
    )
    # Both ends report when their connection is gone.
    yield from client_closed
    yield from server_closed

    server.close()
    yield from server.wait_closed()
    print('server: closed')


asyncio.run(main())
