"""Fulfilment: shipments, tracking and returns, one vendor order at a time."""
