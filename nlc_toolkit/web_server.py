"""The web server that `reflex run --env prod` starts: gunicorn, with a uvicorn worker per process.

Reflex would start granian. Measured with bench/workshop_bench.py (one process, 1,000 phones in
a live room): granian held 248-257 KiB of backend memory per phone, gunicorn with this worker
110-122 KiB. A bare echo server shows why: granian keeps about 175 KiB of buffers per open
websocket that has carried a 2 KB message, uvicorn with wsproto about 22 KiB.

rxconfig.py selects it (REFLEX_USE_GRANIAN=False and GUNICORN_CMD_ARGS, from NLC_WORKERS)."""

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    # uvloop and httptools: the fastest loop and HTTP parser uvicorn has (compiled). wsproto for
    # websockets: the smallest per connection (the `websockets` package took about 10 KiB more).
    # No `server` header: the software behind the app is nobody's business.
    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "ws": "wsproto", "server_header": False}


def gunicorn_args(workers: int) -> str:
    """The GUNICORN_CMD_ARGS that Reflex hands to gunicorn: this worker class, this many workers."""
    return f"--worker-class {__name__}.Worker --workers {workers}"
