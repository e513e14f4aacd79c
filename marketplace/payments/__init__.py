"""Payments: the gateway protocol, payments, refunds and webhook events."""
