"""Handing the C allocator's free memory back to the system after work that freed much of it."""

from __future__ import annotations

import ctypes

__all__ = ["release_free_memory"]


def release_free_memory() -> bool:
    """glibc's ``malloc_trim``: whether anything was returned (musl, macOS: nothing to do, False).

    glibc keeps freed memory for reuse, and after reading or building something big (a network
    snapshot, the suggestions index, a recompute's stages) tens to hundreds of MB of it would stay
    resident in a worker that nothing would use again soon.
    """
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    return bool(trim(0)) if trim is not None else False
