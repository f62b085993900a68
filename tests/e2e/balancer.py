"""A small TCP load balancer for the scaled e2e: pages and files from the first backend, and each
new websocket (`/_event`) to the next backend in turn, so browser tabs land on different backend
processes for certain, as behind a real load balancer, instead of wherever the kernel puts them."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter


class Balancer:
    def __init__(self, port: int, pages: int, sockets: list[int]):
        self.port, self.pages, self.sockets = port, pages, sockets
        self.sent: Counter[int] = Counter()  # websockets handed to each backend port
        self._turn = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="balancer")

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        async def close_all():
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    def _backend_for(self, request_line: bytes) -> int:
        if b" /_event" not in request_line:
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
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            try:
                writer.close()
            except OSError:
                pass
