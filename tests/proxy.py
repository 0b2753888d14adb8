"""An asyncio TCP proxy on loopback, to put a slow or broken network in front of a real server.

`delay_s` holds every chunk of the server's answers back that long after it arrived (a slow LiveKit
RoomService); `cut = True` closes every connection at once, new and open (the server is gone). Requests
travel to the server undelayed, so the server does the work and only its answers are late."""

from __future__ import annotations

import asyncio
import contextlib
import time


class TcpProxy:
    def __init__(self, upstream_port: int, *, delay_s: float = 0.0) -> None:
        self.upstream_port = upstream_port
        self.delay_s = delay_s
        self.cut = False
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._open: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def cut_all(self) -> None:
        """From now on connections are closed as soon as they open; the open ones are closed now."""
        self.cut = True
        for writer in list(self._open):
            writer.transport.abort()

    async def close(self) -> None:
        self.cut_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> TcpProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.cut:
            client_writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.transport.abort()
            return
        self._open |= {client_writer, upstream_writer}
        try:
            await asyncio.gather(
                self._forward(client_reader, upstream_writer, 0.0),
                self._forward(upstream_reader, client_writer, self.delay_s),
            )
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in (client_writer, upstream_writer):
                self._open.discard(writer)
                writer.transport.abort()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float) -> None:
        """Copies one direction; with a delay, each chunk leaves `delay_s` after it came, in order."""
        chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            while True:
                due, data = await chunks.get()
                if not data:
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(send())
        try:
            while True:
                data = await reader.read(65536)
                await chunks.put((time.monotonic() + delay_s, data))
                if not data:
                    break
            await sender
        finally:
            sender.cancel()
