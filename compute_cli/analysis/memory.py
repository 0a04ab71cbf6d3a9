"""Keep the allocator from handing memory back to the OS between engine chunks.

The engine allocates ~100 temporaries per call. With glibc's defaults, arrays of
128 KB and more are mapped fresh from the OS and unmapped when freed (and freed
heap tops are trimmed), so every chunk pays page faults on every temporary:
measured here, 3x the time of the arithmetic itself. Raising the mmap and trim
thresholds once per process lets each chunk reuse the last chunk's memory. Peak
memory is unchanged (the same blocks are reused); only their return to the OS is
deferred. A no-op off glibc. See docs/performance.md.
"""

from __future__ import annotations

import sys

M_TRIM_THRESHOLD = -1  # glibc <malloc.h>
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # glibc's maximum for a dynamic threshold on 64-bit
TRIM_THRESHOLD_BYTES = 256 * 1024 * 1024

_state: list[bool] = []


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds (once per process); True when they are set."""
    if not _state:
        _state.append(_set_thresholds())
    return _state[0]


def _set_thresholds() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD,
                                                                                   TRIM_THRESHOLD_BYTES))
