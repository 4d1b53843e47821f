"""The portal's use of the ``matching`` library: database rows in, explained suggestions out."""
