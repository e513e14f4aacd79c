"""CSV files: a vendor's statement, and the bank-transfer file of a payout run (offline gateway).

Cells that a spreadsheet would read as a formula are prefixed with a quote, amounts are written
in major units with the currency's decimals (never floats), and lines end with CRLF.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payouts.models import Payout, PayoutStatus
from marketplace.payouts.statements import Statement
from marketplace.vendors.models import Vendor
from marketplace.web import major_units

__all__ = ["run_bank_transfer_csv", "statement_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _write(rows: Iterable[Iterable[object]], *, numeric_columns: set[int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [value if index in numeric_columns else _cell(value) for index, value in enumerate(row)]
        )
    return out.getvalue()


def statement_csv(statement: Statement) -> str:
    """Opening line, one row per movement, closing line."""
    currency = statement.currency

    def balance_row(moment: datetime, kind: str, minor: int) -> list[object]:
        """The opening or closing balance, dated on the period's first or end day."""
        description = f"{kind.capitalize()} balance"
        amount = major_units(minor, currency)
        return [moment.date().isoformat(), kind, description, "", "", amount, currency, ""]

    rows: list[list[object]] = [
        ["date", "kind", "description", "order", "reference", "amount", "currency", "note"],
        balance_row(statement.start, "opening", statement.opening_minor),
    ]
    for line in statement.lines:
        rows.append(
            [
                line.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                line.kind,
                line.description,
                line.order_number or "",
                line.reference,
                major_units(line.amount_minor, currency),
                currency,
                line.note,
            ]
        )
    rows.append(balance_row(statement.end, "closing", statement.closing_minor))
    return _write(rows, numeric_columns={5})


def run_bank_transfer_csv(run_id: int) -> str:
    """The bank transfers to make for a run's payouts still in transit: payee, bank details
    as the vendor confirmed them (holder, routing number, last 4 digits), amount, reference."""
    from marketplace.payments.gateway import get_gateway
    from marketplace.payments.offline import OfflineGateway

    gateway = get_gateway()
    payouts = db.session.execute(
        select(Payout, Vendor.display_name, Vendor.business_name)
        .join(Vendor, Vendor.id == Payout.vendor_id)
        .where(Payout.run_id == run_id, Payout.status == PayoutStatus.IN_TRANSIT)
        .order_by(Payout.id)
    ).all()
    rows: list[list[object]] = [
        [
            "payout_id",
            "reference",
            "shop",
            "business_name",
            "account_holder",
            "routing_number",
            "account_last4",
            "amount",
            "currency",
        ]
    ]
    for payout, shop, business in payouts:
        bank = (
            gateway.bank_account(payout.destination or "")
            if isinstance(gateway, OfflineGateway)
            else {}
        )
        rows.append(
            [
                payout.id,
                payout.gateway_reference or "",
                shop,
                business,
                bank.get("account_holder_name", ""),
                bank.get("routing_number", ""),
                bank.get("last4", ""),
                major_units(payout.amount_minor, payout.currency),
                payout.currency,
            ]
        )
    return _write(rows, numeric_columns={0, 7})
