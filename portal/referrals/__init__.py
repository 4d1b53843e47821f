"""Referrals of participants to opportunities: the closed loop between counsellor and host."""
