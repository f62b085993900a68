"""The first page a new operator sees: `make run` from a fresh clone of this repository (install,
migrate, seed the demo, build the frontend, serve), then the second `make run` on the same clone
(everything installed and built), each timed until http://localhost:3000/ serves the home page
and the backend answers. Baseline in the same run: the second start's bare `reflex run` without
make (what any Reflex app pays).

Needs port 3000 free (in prod mode the backend shares it). The clone is made from the committed HEAD, in a temporary folder."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _serving() -> bool:
    try:
        with urllib.request.urlopen("http://localhost:3000/", timeout=2) as page:
            home = page.status == 200 and b"<html" in page.read().lower()
        with urllib.request.urlopen("http://localhost:3000/ping", timeout=2) as ping:
            return home and ping.status == 200
    except OSError:
        return False


def timed_start(command: list[str], cwd: Path, log: Path, limit: float = 1800, **more_env: str) -> float:
    start = time.perf_counter()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("REFLEX_DB_URL")}, **more_env}
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            while time.perf_counter() - start < limit:
                if proc.poll() is not None:
                    raise RuntimeError(f"{' '.join(command)} exited with {proc.returncode}; see {log}")
                if _serving():
                    return time.perf_counter() - start
                time.sleep(0.25)
            raise TimeoutError(f"nothing served within {limit:.0f} s; see {log}")
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            while _serving():
                time.sleep(0.25)


def main() -> None:
    if _serving():
        raise SystemExit("something already serves localhost:3000; stop it first")
    folder = Path(tempfile.mkdtemp(prefix="nlc-first-page-"))
    clone = folder / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    cold = timed_start(["make", "run"], clone, folder / "cold.log")
    warm = timed_start(["make", "run"], clone, folder / "warm.log")
    # What the Makefile exports for Reflex (bun from the project, no telemetry), nothing else.
    path = f"{clone / '.tools' / 'node_modules' / '.bin'}:{clone / '.venv' / 'bin'}:{os.environ['PATH']}"
    bare = timed_start([str(clone / ".venv" / "bin" / "reflex"), "run", "--env", "prod"], clone, folder / "bare.log",
                       PATH=path, REFLEX_TELEMETRY_ENABLED="False", REFLEX_CHECK_LATEST_VERSION="False")
    print(f"first page from a fresh clone (`make run`: install, migrate, seed, build, serve): {cold:6.1f} s")
    print(f"second `make run` on the same clone:                                        {warm:6.1f} s")
    print(f"baseline: bare `reflex run --env prod` on the same clone:                    {bare:6.1f} s "
          f"(second start {warm / bare:.2f}x)")


if __name__ == "__main__":
    main()
