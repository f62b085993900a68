"""A small TCP load balancer for the scaled e2e: pages and files from the first backend, and each
new websocket (Reflex's `/_event`, the workshop phones' `/join/ws`) to the next backend in turn, so browser tabs land on different backend
processes for certain, as behind a real load balancer, instead of wherever the kernel puts them."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.e2e.relay import TcpRelay


class Balancer(TcpRelay):
    def __init__(self, port: int, pages: int, sockets: list[int]):
        super().__init__(port, "balancer")
        self.pages, self.sockets = pages, sockets
        self.sent: Counter[int] = Counter()  # websockets handed to each backend port
        self._turn = 0

    def _backend_for(self, request_line: bytes) -> int:
        if b" /_event" not in request_line and b" /join/ws" not in request_line:
            return self.pages
        port = self.sockets[self._turn % len(self.sockets)]
        self._turn += 1
        self.sent[port] += 1
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await reader.readuntil(b"\r\n")
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._backend_for(first))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        up_writer.write(first)
        await asyncio.gather(self.pipe(reader, up_writer), self.pipe(up_reader, writer))
