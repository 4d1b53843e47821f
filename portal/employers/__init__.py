"""Employers: the anonymised candidate pool, per-employer pseudonyms and introductions through the counsellor."""
