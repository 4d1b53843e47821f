"""The organisation directory and the relationships between organisations."""
