"""Where `run` writes its report: stdout, or a file replaced atomically.

The report goes to a temporary file beside the target and is renamed over it only once complete, so
a failed or crashed run never leaves a 0-byte or cut-off report, nor destroys the previous one.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from corscheck.cli.output import fail
from corscheck.exitcodes import ExitCode

#: A large buffer: each flush releases the GIL, and getting it back from the busy check threads
#: stalls the thread that hands them work (bench/bench_run.py).
OUTPUT_BUFFER = 1 << 20


@contextlib.contextmanager
def open_report(output: str | None) -> Iterator[TextIO]:
    """stdout for None or '-'; else a temporary file renamed to ``output`` when the block ends
    normally. Any failure to write is one line and exit 2; the previous report is then untouched."""
    if output in (None, "-"):
        yield sys.stdout
        return
    target = Path(output)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        # mkstemp makes the file 0600; a report gets the mode any new file would (0666 less umask),
        # as curl -o and a shell redirect give it, so a later CI step can read it.
        os.chmod(temporary, 0o666 & ~_umask())
        stream = open(handle, "w", encoding="utf-8", buffering=OUTPUT_BUFFER)  # noqa: SIM115
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", ExitCode.USAGE)
    try:
        try:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        finally:
            with contextlib.suppress(OSError):  # a full disk fails the flush again on close
                stream.close()
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        fail(f"cannot write {output}: {exc.strerror or exc}", ExitCode.USAGE)
    except BaseException:
        _remove(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
