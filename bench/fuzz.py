"""The bad input sweep (issue 16): hypothesis drives the questionnaire loader, the answers CSV, the
XLSX template import and the backup restore with N generated inputs each (default 10,000; lower
it with `python bench/fuzz.py 500` or NLC_FUZZ_EXAMPLES=500, pick targets by name after N).

The inputs are valid files spoiled in the ways tests/fuzzing.py lists (wrong types, missing and
unknown keys, YAML tags and alias bombs, non-UTF-8, cells and XML parts of the workbook, zip
members, path traversal, zip bombs). Prints per target: inputs run, accepted, refused (the five
most common refusals), unhandled (another exception, an unclear message, a refusal that changed
the database, an input slower than tests/fuzzing.SLOW), and the time. Exits 1 if anything was
unhandled."""

from __future__ import annotations

import os
import shutil
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzzing import TARGETS, sweep, temporary_folder  # noqa: E402


def main(argv: list[str]) -> int:
    # The libraries warn about some spoiled inputs (SQLAlchemy: a NULL key; openpyxl: a date out of
    # range) before they are refused: expected here, and noise among the figures.
    warnings.simplefilter("ignore")
    n = int(argv[0]) if argv else int(os.environ.get("NLC_FUZZ_EXAMPLES", "10000"))
    names = argv[1:] or list(TARGETS)
    folder = temporary_folder()
    unhandled, start = 0, time.perf_counter()
    try:
        for name in names:
            target = TARGETS[name](folder)
            tally = sweep(target, n)
            print("\n".join(tally.lines()), flush=True)
            unhandled += len(tally.unhandled)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"total: {len(names)} targets, {unhandled} unhandled, {time.perf_counter() - start:.0f} s")
    return 1 if unhandled else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
