"""The map of organisations, open opportunities and placement gaps (`/map/`)."""
