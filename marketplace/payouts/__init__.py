"""Payouts: the double-entry ledger, commissions, transfers and vendor payouts."""
