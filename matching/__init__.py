"""Placement matching: plain data in, ranked and explained recommendations out (see issue 4; nothing here yet)."""
