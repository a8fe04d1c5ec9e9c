"""py_echo: the Python peers of `make bench`, each a pure echo on 127.0.0.1.

    /usr/bin/python3 py_echo.py --loop asyncio|uvloop --style sock|protocol|streams PORT

sock: loop.sock_accept + loop.sock_recv / sock_sendall, a task per client;
protocol: asyncio.Protocol whose data_received writes back (with flow control);
streams: asyncio.start_server, reader.read(65536) / writer.write + drain.
Prints "Listening on 127.0.0.1:PORT" when ready. Run with Debian's python3
(uvloop is Debian's python3-uvloop)."""
import argparse
import asyncio
import resource
import socket
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


async def handle_streams(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def echo_sock(loop, conn):
    with conn:
        try:
            while True:
                data = await loop.sock_recv(conn, 65536)
                if not data:
                    break
                await loop.sock_sendall(conn, data)
        except ConnectionError:
            pass


def announce(port):
    print(f"Listening on 127.0.0.1:{port}", flush=True)


async def main(style, port):
    loop = asyncio.get_running_loop()
    if style == "protocol":
        server = await loop.create_server(Echo, "127.0.0.1", port, backlog=4096)
    elif style == "streams":
        server = await asyncio.start_server(handle_streams, "127.0.0.1", port, backlog=4096)
    else:
        lsock = socket.socket()
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", port))
        lsock.listen(4096)
        lsock.setblocking(False)
        announce(lsock.getsockname()[1])
        tasks = set()
        while True:
            conn, _ = await loop.sock_accept(lsock)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            task = loop.create_task(echo_sock(loop, conn))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    announce(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--style", choices=["sock", "protocol", "streams"], default="protocol")
    ap.add_argument("port", type=int)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.loop == "uvloop":
        import uvloop
        uvloop.install()
    try:
        asyncio.run(main(args.style, args.port))
    except KeyboardInterrupt:
        sys.exit(0)
