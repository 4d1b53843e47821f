"""Outgoing e-mail: SMTP in production, an outbox folder of .eml files in development."""
