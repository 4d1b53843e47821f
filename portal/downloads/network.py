"""The whole partner network as a download, written by the network exporters (portal.network.transfer)."""

from __future__ import annotations

import asyncio
import os
import tempfile

from portal.network.transfer import export_network

FORMATS = {
    "graphml": ("graphml", "application/graphml+xml"),
    "gexf": ("gexf", "application/gexf+xml"),
    "json": ("json", "application/json"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
# One export at a time per process: each reads the whole network; more at once would only compete for it.
_one_at_a_time = asyncio.Semaphore(1)


async def export_file(format: str) -> str:
    """The network written to a new temporary file in ``format``; its path (the caller removes it)."""
    suffix = FORMATS[format][0]
    handle, path = tempfile.mkstemp(suffix=f".{suffix}", prefix="portal-network-")
    os.close(handle)
    try:
        async with _one_at_a_time:
            await export_network(path, format)
    except BaseException:
        os.unlink(path)
        raise
    return path
