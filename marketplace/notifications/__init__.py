"""Notifications: e-mail through the outbox and the mail queue."""
