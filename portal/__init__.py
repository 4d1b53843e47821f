"""Social activation partner network portal."""
