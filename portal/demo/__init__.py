"""Demo data: the real 2SoKroG partner network and a synthetic regional layer."""
