"""A TCP proxy between the app and PostgreSQL that a test can cut and restore: cut closes every
open connection and closes each new one at once (the database is away, as when its server
restarts or the network drops), restore lets connections through again."""

from __future__ import annotations

import asyncio

from tests.e2e.relay import TcpRelay


class DbProxy(TcpRelay):
    def __init__(self, port: int, target_host: str, target_port: int):
        super().__init__(port, "db-proxy")
        self.target = (target_host, target_port)
        self.cut_off = False
        self._writers: set[asyncio.StreamWriter] = set()

    def cut(self) -> None:
        """Close every connection and refuse new ones (each is closed as soon as it opens)."""
        async def close_all():
            self.cut_off = True
            for writer in list(self._writers):
                writer.close()
            self._writers.clear()

        self.on_loop(close_all())

    def restore(self) -> None:
        self.cut_off = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(self.pipe(reader, up_writer), self.pipe(up_reader, writer))
        self._writers.difference_update((writer, up_writer))
