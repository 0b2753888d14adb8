"""How a live frame reaches a socket: written at once while the socket keeps up and nothing is
queued ahead of it, through the connection's own outbox otherwise, in id order either way."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from conference.realtime.socket import Connection


class FakeTransport:
    def __init__(self) -> None:
        self.backlog = 0

    def get_write_buffer_size(self) -> int:
        return self.backlog


class FakeSocket:
    """What Connection uses of aiohttp's WebSocketResponse; a write can be made to wait."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed = False
        self.gate: asyncio.Event | None = None

    async def send_str(self, text: str) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.sent.append(text)


async def live_connection() -> tuple[Connection, FakeSocket, FakeTransport]:
    ws, transport = FakeSocket(), FakeTransport()
    signin = SimpleNamespace(user=SimpleNamespace(id="ann"), session_id="s1", expires_at=2**40)
    connection = Connection(signin, ws, SimpleNamespace(), transport)  # type: ignore[arg-type]
    connection.go_live()
    await asyncio.sleep(0)  # the writer task starts and waits for work
    return connection, ws, transport


async def test_a_socket_that_keeps_up_is_written_at_once_and_duplicates_are_dropped():
    connection, ws, _ = await live_connection()
    await connection.deliver(1, "one", {"id": 1, "type": "chat.message"})
    assert ws.sent == ["one"]  # no task switch needed
    await connection.deliver(1, "one again", {"id": 1, "type": "chat.message"})
    await connection.deliver(None, "typing", None)
    assert ws.sent == ["one", "typing"]
    await connection.stop()


async def test_a_backed_up_socket_gets_its_frames_through_the_outbox_in_order():
    connection, ws, transport = await live_connection()
    transport.backlog = 70_000  # the peer reads slowly
    await connection.deliver(1, "one", {"id": 1, "type": "chat.message"})
    assert ws.sent == []  # queued: the dispatcher never waits for this socket
    transport.backlog = 0
    await connection.deliver(2, "two", {"id": 2, "type": "chat.message"})  # behind "one", so queued too
    await asyncio.sleep(0.01)
    assert ws.sent == ["one", "two"]
    await connection.stop()


async def test_while_a_write_waits_later_frames_queue_behind_it():
    connection, ws, _ = await live_connection()
    ws.gate = asyncio.Event()
    connection.push(1, "one", {"id": 1, "type": "chat.message"})
    await asyncio.sleep(0)  # the writer is now inside the write
    await asyncio.wait_for(connection.deliver(2, "two", {"id": 2, "type": "chat.message"}), 1)
    ws.gate.set()
    await asyncio.sleep(0.01)
    assert ws.sent == ["one", "two"]
    await connection.stop()


async def test_an_undelivered_direct_message_goes_through_the_outbox():
    connection, ws, _ = await live_connection()
    marked: list[int] = []

    async def mark(deps, message_id, user_id):  # what send_now calls for a first delivery
        marked.append(message_id)

    import conference.chat.direct as direct

    real, direct.mark_delivered = direct.mark_delivered, mark
    try:
        envelope = {"id": 3, "type": "dm.message", "data": {"id": 9, "recipient_id": "ann", "delivered_at": None}}
        await connection.deliver(3, "dm", envelope)
        assert ws.sent == [] and marked == []  # the dispatcher does not wait for the database
        await asyncio.sleep(0.01)
        assert ws.sent == ["dm"] and marked == [9]
    finally:
        direct.mark_delivered = real
        await connection.stop()


async def test_a_socket_whose_sign_in_ended_gets_nothing_more():
    connection, ws, _ = await live_connection()
    connection.end(4401, "signed out")
    await connection.deliver(1, "one", {"id": 1, "type": "chat.message"})
    await connection.deliver(None, "typing", None)
    await asyncio.sleep(0.01)
    assert ws.sent == []
    await connection.stop()
