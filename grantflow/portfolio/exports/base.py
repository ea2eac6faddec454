"""What every export shares: its result, progress callbacks and atomic files."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

#: progress(done, total): called every few thousand rows
Progress = Callable[[int, int], None]


@dataclass
class ExportResult:
    path: Path
    rows: int
    totals: dict = field(default_factory=dict)


class ExportError(ValueError):
    """The export cannot be made (no matching grants, invalid data); the message says why."""


@contextmanager
def atomic_output(path, mode: str = "w", **kwargs):
    """Write to a temporary file beside ``path`` and move it into place only when
    the block finishes without error, so a failed or invalid export never leaves
    a half-written file under the final name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
