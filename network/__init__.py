"""Partner-network analytics on plain records: graph building, metrics, gaps, suggestions (see issue 5; nothing here yet)."""
