"""Tests for the network package surface: its public names, and that it stays a pure library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import network


def test_every_public_name_exists():
    assert all(hasattr(network, name) for name in network.__all__)
    assert len(set(network.__all__)) == len(network.__all__)


def test_imports_nothing_from_the_portal_or_its_frameworks():
    code = (
        "import sys, network; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'portal', 'piccolo', 'litestar'}))"
    )
    root = Path(network.__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "call",
    [
        lambda G: network.centrality(G),
        lambda G: network.communities(G),
        lambda G: network.cross_border(G),
        lambda G: network.fragility(G),
        lambda G: network.weakly_tied(G),
        lambda G: network.summary(G),
        lambda G: network.shortest_chain(G, 0, 1),
        lambda G: network.neighbourhood(G, 0),
        lambda G: network.suggest_partnerships(G),
    ],
)
@pytest.mark.parametrize("graph_class", [nx.DiGraph, nx.MultiGraph])
def test_graph_functions_refuse_directed_and_multigraphs(call, graph_class):
    with pytest.raises(nx.NetworkXNotImplemented):
        call(graph_class([(0, 1)]))
