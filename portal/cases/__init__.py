"""Participants' case files: profile, consents, profiling, stage history and the case team."""
