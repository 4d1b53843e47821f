"""Placements under way: the host's weekly attendance, absence alerts, the counsellor's graduated responses, mentors."""
