"""How a refund splits between the buyer, the vendor, the platform's commission and tax.

A refund belongs to one vendor order (refund a whole order as one refund per vendor order).
The buyer gets back items + shipping + the tax charged on them. That money leaves
`platform:cash`; in exchange:

- the tax collected on what is refunded is no longer owed (`platform:tax_payable` debited);
- the commission on the refunded items is returned (policy "return": the vendor gets it back,
  so the vendor's share is reduced by it) or kept (policy "keep": the vendor bears the whole
  refunded items + shipping). `REFUND_COMMISSION_POLICY` chooses; "return" is the default.
- the vendor's share (items + shipping - commission returned) is taken first from what is still
  payable to it for that order, then reversed from its transfer (never more than is left of
  that transfer); whatever cannot be taken that way — a reversal that failed, or a kept
  commission larger than the transfer — becomes `vendor:<id>:receivable`.

Rounding: tax on part of a line and commission on part of a vendor order are computed on the
cumulative refunded quantity/amount and rounded half to even, minus what earlier refunds
already returned, so a vendor order refunded in pieces returns exactly its tax and commission.

`plan_refund` computes all of this before the gateway is called (the amount to refund, the
reversal to request); `marketplace.payouts.ledger.book_refund` books it once it happened.
Refund.lines, as written by `plan_refund`, holds one entry per refunded line,
`{"line_id", "quantity", "amount_minor", "tax_minor"}`; the refund's `shipping_minor` and
`tax_minor` columns say how much of it is shipping and tax.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import VendorOrder
from marketplace.payments.models import Refund
from marketplace.payouts.commission import round_half_even
from marketplace.payouts.journal import (
    COMMISSION,
    TAX_PAYABLE,
    LedgerError,
    order_vendor_position,
    transaction,
)

__all__ = [
    "POLICIES",
    "RefundError",
    "RefundHistory",
    "RefundPlan",
    "VendorShare",
    "allocate_vendor_share",
    "plan_refund",
    "refund_commission_policy",
    "refund_history",
    "refund_reference",
]

POLICIES = ("return", "keep")


class RefundError(LedgerError):
    """A refund that cannot be made or booked as asked; nothing was written."""

    message = "That refund cannot be made."


def refund_reference(refund_id: int) -> str:
    return f"refund:{refund_id}"


def refund_commission_policy() -> str:
    """The configured REFUND_COMMISSION_POLICY: "return" (default) or "keep"."""
    policy = current_app.config.get("REFUND_COMMISSION_POLICY", "return")
    if policy not in POLICIES:
        raise RefundError(f"REFUND_COMMISSION_POLICY must be one of {POLICIES}, not {policy!r}.")
    return policy


@dataclass
class RefundHistory:
    """What the booked refunds of one vendor order gave back so far."""

    goods_minor: int = 0  # items + shipping (from the ledger)
    tax_minor: int = 0  # (from the ledger)
    commission_minor: int = 0  # returned (from the ledger)
    items_minor: int = 0  # items alone (from the refunds' records)
    shipping_minor: int = 0  # (from the refunds' records)
    quantities: dict[int, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True)
class VendorShare:
    """Where the vendor's share of a refund comes from."""

    from_payable: int
    from_balance: int
    to_receivable: int


@dataclass(frozen=True)
class RefundPlan:
    """A refund of one vendor order, worked out before any money moves.

    Store it on the Refund: amount_minor, shipping_minor, tax_minor, commission_returned_minor,
    reversal_minor and lines; ask the gateway to reverse `reversal_minor` of the transfer.
    """

    vendor_order_id: int
    currency: str
    policy: str
    items_minor: int
    shipping_minor: int
    tax_minor: int
    commission_returned_minor: int
    lines: tuple[dict[str, Any], ...]
    share: VendorShare  # as it will be if the reversal succeeds

    @property
    def amount_minor(self) -> int:
        """What the buyer gets back."""
        return self.items_minor + self.shipping_minor + self.tax_minor

    @property
    def vendor_share_minor(self) -> int:
        """What the vendor gives up: the refunded items and shipping less commission returned."""
        return self.items_minor + self.shipping_minor - self.commission_returned_minor

    @property
    def reversal_minor(self) -> int:
        """The transfer reversal to ask the gateway for (0: none needed)."""
        return self.share.from_balance


def _line_id(item: Mapping[str, Any]) -> int | None:
    value = item.get("line_id", item.get("order_line_id"))
    return None if value is None else int(value)


def refund_history(vendor_order: VendorOrder, *, excluding: int | None = None) -> RefundHistory:
    """Sum up the booked refunds of a vendor order (a refund not yet booked does not count):
    money from the ledger, lines and shipping from the refunds' records."""
    history = RefundHistory()
    refunds = db.session.scalars(
        select(Refund).where(Refund.vendor_order_id == vendor_order.id).order_by(Refund.id)
    )
    vendor_prefix = f"vendor:{vendor_order.vendor_id}:"
    for refund in refunds:
        booked = None if refund.id == excluding else transaction(refund_reference(refund.id))
        if booked is None:
            continue
        for entry in booked.entries:
            code = entry.account.code
            if code.startswith(vendor_prefix) or code == COMMISSION:
                history.goods_minor += entry.amount_minor
            if code == COMMISSION:
                history.commission_minor += entry.amount_minor
            elif code == TAX_PAYABLE:
                history.tax_minor += entry.amount_minor
        history.shipping_minor += refund.shipping_minor
        history.items_minor += refund.amount_minor - refund.shipping_minor - refund.tax_minor
        for item in refund.lines or []:
            line_id = _line_id(item)
            if line_id is not None:
                history.quantities[line_id] += int(item.get("quantity", 0))
    return history


def allocate_vendor_share(
    vendor_order: VendorOrder, share_minor: int, *, reversal_succeeded: bool
) -> VendorShare:
    """Take the vendor's share from what is still payable for this order, then from its
    transfer (when the reversal succeeded), and book the rest as owed by the vendor."""
    position = order_vendor_position(
        vendor_order.order_id, vendor_order.vendor_id, vendor_order.currency
    )
    from_payable = min(share_minor, max(position.payable, 0))
    rest = share_minor - from_payable
    from_balance = min(rest, max(position.balance, 0)) if reversal_succeeded else 0
    return VendorShare(from_payable, from_balance, rest - from_balance)


def _share_of(total: int, part: int, whole: int) -> int:
    """`total * part / whole` rounded half to even (0 when there is no whole)."""
    return round_half_even(total * part, whole) if whole > 0 else 0


def _requested(
    vendor_order: VendorOrder, quantities: Mapping[int, int] | None, history: RefundHistory
) -> dict[int, int]:
    """Quantities to refund per line id, checked against what is left of each line."""
    lines = {line.id: line for line in vendor_order.lines}
    if quantities is None:
        wanted = {i: line.quantity - history.quantities[i] for i, line in lines.items()}
        return {i: q for i, q in wanted.items() if q > 0}
    checked: dict[int, int] = {}
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise RefundError("That line is not part of this vendor order.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise RefundError("Refund at least one unit of each line you choose.")
        left = line.quantity - history.quantities[line_id]
        if quantity > left:
            raise RefundError(f"Only {left} of “{line.title}” can still be refunded.")
        checked[line_id] = quantity
    return checked


def _lines_refund(
    vendor_order: VendorOrder, wanted: dict[int, int], history: RefundHistory
) -> tuple[int, int, list[dict[str, Any]]]:
    """(items, their tax, Refund.lines) for the wanted quantities; a line's tax is its
    cumulative half-even share, so refunding it in pieces returns exactly its tax."""
    lines = {line.id: line for line in vendor_order.lines}
    items = tax = 0
    entries = []
    for line_id, quantity in wanted.items():
        line = lines[line_id]
        before = history.quantities[line_id]
        amount = line.unit_price_minor * quantity
        line_tax = _share_of(line.tax_minor, before + quantity, line.quantity) - _share_of(
            line.tax_minor, before, line.quantity
        )
        entries.append(
            {
                "line_id": line_id,
                "quantity": quantity,
                "amount_minor": amount,
                "tax_minor": line_tax,
            }
        )
        items += amount
        tax += line_tax
    return items, tax, entries


def _shipping_refund(vendor_order: VendorOrder, history: RefundHistory) -> tuple[int, int]:
    """(shipping left to refund, its tax): the vendor order's tax beyond its lines' tax is
    the tax on shipping."""
    shipping_tax = max(0, vendor_order.tax_minor - sum(li.tax_minor for li in vendor_order.lines))
    shipping = vendor_order.shipping_minor - history.shipping_minor
    if shipping <= 0:
        return 0, 0
    before = history.shipping_minor
    whole = vendor_order.shipping_minor
    tax = _share_of(shipping_tax, before + shipping, whole) - _share_of(shipping_tax, before, whole)
    return shipping, tax


def plan_refund(
    vendor_order: VendorOrder,
    quantities: Mapping[int, int] | None = None,
    *,
    shipping: bool | None = None,
    policy: str | None = None,
) -> RefundPlan:
    """Work out a refund of some lines (`{order line id: quantity}`) and/or what is left of
    the shipping of one vendor order; with no quantities, everything left of it.

    Never more than is left: items, shipping, tax and commission already refunded count.
    """
    policy = policy or refund_commission_policy()
    if policy not in POLICIES:
        raise RefundError(f"Unknown refund commission policy {policy!r}.")
    history = refund_history(vendor_order)
    items, tax, entries = _lines_refund(
        vendor_order, _requested(vendor_order, quantities, history), history
    )
    shipping_minor = 0
    if quantities is None if shipping is None else shipping:
        shipping_minor, shipping_tax = _shipping_refund(vendor_order, history)
        if shipping and shipping_minor == 0:
            raise RefundError("The shipping of this order was already refunded.")
        tax += shipping_tax
    # Refunds not tied to lines may have used some of it up: never more than is left.
    goods_left = max(
        vendor_order.subtotal_minor + vendor_order.shipping_minor - history.goods_minor, 0
    )
    if items + shipping_minor > goods_left:
        shipping_minor = min(shipping_minor, goods_left)
        items = goods_left - shipping_minor
    tax = max(0, min(tax, vendor_order.tax_minor - history.tax_minor))
    commission = min(_commission_returned(vendor_order, history, items, policy), items)
    if items + shipping_minor + tax <= 0:
        raise RefundError("There is nothing left to refund on that vendor order.")
    share = allocate_vendor_share(
        vendor_order, items + shipping_minor - commission, reversal_succeeded=True
    )
    return RefundPlan(
        vendor_order_id=vendor_order.id,
        currency=vendor_order.currency,
        policy=policy,
        items_minor=items,
        shipping_minor=shipping_minor,
        tax_minor=tax,
        commission_returned_minor=commission,
        lines=tuple(entries),
        share=share,
    )


def _commission_returned(
    vendor_order: VendorOrder, history: RefundHistory, items: int, policy: str
) -> int:
    """Policy "return": the commission's share of the items refunded so far (half-even), less
    what was already returned; all of it once every item is refunded. "keep": nothing."""
    left = vendor_order.commission_minor - history.commission_minor
    if policy == "keep" or left <= 0:
        return 0
    subtotal = vendor_order.subtotal_minor
    refunded = history.items_minor + items
    if subtotal <= 0 or refunded >= subtotal:
        target = vendor_order.commission_minor
    else:
        target = round_half_even(vendor_order.commission_minor * refunded, subtotal)
    return max(0, min(target - history.commission_minor, left))
