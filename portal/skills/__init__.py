"""The skills vocabulary (ESCO concepts with their labels per language) and the picker that uses it."""
