"""Reading an uploaded file without trusting its size."""

import reflex as rx

READ_CHUNK = 1024 * 1024


async def read_at_most(file: rx.UploadFile, limit: int) -> bytes | None:
    """The file's bytes, counted while reading; None as soon as it passes `limit`."""
    parts, size = [], 0
    while chunk := await file.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)
