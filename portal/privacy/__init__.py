"""Data-protection rights and retention: subject access, erasure, the retention job, records of processing."""
