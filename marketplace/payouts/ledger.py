"""The marketplace's double-entry ledger: the one place money movements are booked.

Every booking is one transaction of `journal.post`, keyed by a reference derived from the
gateway object it records (`payment:<id>`, `order:<id>:split`, `payment:<id>:fee`,
`transfer:<id>`, `vendor_order:<id>:recovery`, `refund:<id>`, `payout:<id>`,
`payout:<id>:paid`, `payout:<id>:failed`), so booking the same event twice changes nothing.
Amounts are signed minor units, debit positive; see `marketplace.payouts.journal` for the
accounts.

Change to the agreed interface: `book_refund` takes an optional keyword `tax_returned_minor`
(default: `refund.tax_minor`), a refund must name its vendor order, and its recorded
`commission_returned_minor` and (when the reversal succeeded) `reversal_minor` must be what is
booked.
"""

from __future__ import annotations

import logging

from marketplace.extensions import db
from marketplace.orders.models import Order, VendorOrder
from marketplace.payments.models import Payment, Refund, RefundStatus
from marketplace.payouts.audit import LedgerReport, verify
from marketplace.payouts.journal import (
    CASH,
    COMMISSION,
    GATEWAY_FEES,
    TAX_PAYABLE,
    LedgerError,
    Posting,
    UnbalancedTransaction,
    VendorPosition,
    account,
    account_balance,
    clearing_code,
    order_vendor_position,
    post,
    transaction,
    vendor_balance,
    vendor_code,
    vendor_position,
)
from marketplace.payouts.models import LedgerTransaction, Payout, Transfer, TransferStatus
from marketplace.payouts.refunds import (
    RefundError,
    allocate_vendor_share,
    refund_history,
    refund_reference,
)

__all__ = [
    "CASH",
    "COMMISSION",
    "GATEWAY_FEES",
    "TAX_PAYABLE",
    "LedgerError",
    "LedgerReport",
    "Posting",
    "RefundError",
    "UnbalancedTransaction",
    "VendorPosition",
    "account",
    "account_balance",
    "book_gateway_fee",
    "book_order_paid",
    "book_payout_failed",
    "book_payout_paid",
    "book_payout_sent",
    "book_recovery",
    "book_refund",
    "book_transfer",
    "clearing_code",
    "order_vendor_position",
    "post",
    "transaction",
    "vendor_balance",
    "vendor_code",
    "vendor_order_payable",
    "vendor_position",
    "verify",
]

log = logging.getLogger(__name__)


def _postings(currency: str, *pairs: tuple[str, int]) -> list[Posting]:
    """Postings from (account code, signed amount) pairs, leaving out zero amounts."""
    return [Posting(code, amount, currency) for code, amount in pairs if amount != 0]


def book_order_paid(order: Order, payment: Payment) -> list[LedgerTransaction]:
    """Book a buyer's payment and split it between its owners.

    `payment:<payment id>` — the money arrives:
        Dr platform:cash            payment amount
        Cr order:<id>:clearing      payment amount
    `order:<order id>:split` — the order's figures share it out:
        Dr order:<id>:clearing      Σ (vendor net + commission + tax)
        Cr vendor:<v>:payable       vendor net, for each vendor order
        Cr platform:commission      Σ commission
        Cr platform:tax_payable     Σ tax
    The clearing account is back at zero when the payment equals the order's figures; if it
    is not, the difference stays there and `verify` reports it (the money is recorded, never
    refused). A second payment of the same order stays in clearing too, to be refunded.
    """
    if payment.order_id != order.id:
        raise LedgerError("That payment is not for this order.")
    currency = payment.currency
    if currency != order.currency or any(vo.currency != currency for vo in order.vendor_orders):
        raise LedgerError("An order is booked in the currency it was paid in.")
    clearing = clearing_code(order.id)
    booked = [
        post(
            f"payment:{payment.id}",
            "payment",
            f"Payment for order {order.number}",
            _postings(currency, (CASH, payment.amount_minor), (clearing, -payment.amount_minor)),
            order_id=order.id,
        )
    ]
    split = [
        (vendor_code(vo.vendor_id, "payable"), -vo.vendor_net_minor) for vo in order.vendor_orders
    ]
    commission = sum(vo.commission_minor for vo in order.vendor_orders)
    tax = sum(vo.tax_minor for vo in order.vendor_orders)
    total = -sum(amount for _, amount in split) + commission + tax
    if total != payment.amount_minor:
        log.warning(
            "order %s: paid %s but its figures add up to %s", order.id, payment.amount_minor, total
        )
    if total > 0:
        pairs = [(clearing, total), *split, (COMMISSION, -commission), (TAX_PAYABLE, -tax)]
        booked.append(
            post(
                f"order:{order.id}:split",
                "order_split",
                f"Order {order.number} shared between vendors, commission and tax",
                _postings(currency, *pairs),
                order_id=order.id,
            )
        )
    return booked


def book_gateway_fee(payment: Payment, fee_minor: int) -> LedgerTransaction | None:
    """Book the gateway's fee on a payment (`payment:<id>:fee`); nothing when it is zero.

    Dr platform:gateway_fees    fee
    Cr platform:cash            fee
    """
    if isinstance(fee_minor, bool) or not isinstance(fee_minor, int) or fee_minor < 0:
        raise LedgerError("A gateway fee is a whole, non-negative amount in minor units.")
    if fee_minor == 0:
        return None
    return post(
        f"payment:{payment.id}:fee",
        "gateway_fee",
        f"Gateway fee on payment {payment.id}",
        _postings(payment.currency, (GATEWAY_FEES, fee_minor), (CASH, -fee_minor)),
        order_id=payment.order_id,
    )


def vendor_order_payable(vendor_order: VendorOrder) -> int:
    """What is still to transfer for a vendor order: its net less refunds taken from it."""
    position = order_vendor_position(
        vendor_order.order_id, vendor_order.vendor_id, vendor_order.currency
    )
    return position.payable


def book_transfer(transfer: Transfer, *, recovered_minor: int = 0) -> LedgerTransaction:
    """Book a vendor order's money moved to the vendor's connected account (`transfer:<id>`).

        Dr vendor:<v>:payable       amount + recovered
        Cr vendor:<v>:balance       amount
        Cr vendor:<v>:receivable    recovered (what the vendor owed, kept back from this order)
    Only a transfer the gateway made (succeeded, or later reversed) is booked, and never for
    more than is still payable for that vendor order.
    """
    existing = transaction(f"transfer:{transfer.id}")
    if existing is not None:
        return existing
    if transfer.status not in (TransferStatus.SUCCEEDED, TransferStatus.REVERSED):
        raise LedgerError("Only a transfer the gateway has made can be booked.")
    vendor_order = db.session.get(VendorOrder, transfer.vendor_order_id)
    if vendor_order is None or vendor_order.vendor_id != transfer.vendor_id:
        raise LedgerError("That transfer does not match its vendor order.")
    if transfer.currency != vendor_order.currency:
        raise LedgerError("A transfer is made in its vendor order's currency.")
    payable = vendor_order_payable(vendor_order)
    _check_recovery(transfer.vendor_id, transfer.currency, recovered_minor)
    if transfer.amount_minor + recovered_minor > payable:
        raise LedgerError(
            f"Transfer of {transfer.amount_minor} exceeds the {payable} payable for that order."
        )
    return post(
        f"transfer:{transfer.id}",
        "transfer",
        f"Transfer to vendor {transfer.vendor_id} for vendor order {vendor_order.id}",
        _postings(
            transfer.currency,
            (vendor_code(transfer.vendor_id, "payable"), transfer.amount_minor + recovered_minor),
            (vendor_code(transfer.vendor_id, "balance"), -transfer.amount_minor),
            (vendor_code(transfer.vendor_id, "receivable"), -recovered_minor),
        ),
        order_id=vendor_order.order_id,
    )


def _check_recovery(vendor_id: int, currency: str, recovered_minor: int) -> None:
    if isinstance(recovered_minor, bool) or not isinstance(recovered_minor, int):
        raise LedgerError("A recovered amount is a whole number of minor units.")
    owed = vendor_position(vendor_id, currency).receivable
    if not 0 <= recovered_minor <= max(owed, 0):
        raise LedgerError(f"Cannot recover {recovered_minor}: the vendor owes {owed}.")


def book_recovery(vendor_order: VendorOrder, recovered_minor: int) -> LedgerTransaction:
    """Keep all that is payable for a vendor order back against what the vendor owes
    (`vendor_order:<id>:recovery`): nothing is transferred.

        Dr vendor:<v>:payable       recovered
        Cr vendor:<v>:receivable    recovered
    """
    reference = f"vendor_order:{vendor_order.id}:recovery"
    existing = transaction(reference)
    if existing is not None:
        return existing
    _check_recovery(vendor_order.vendor_id, vendor_order.currency, recovered_minor)
    if not 0 < recovered_minor <= vendor_order_payable(vendor_order):
        raise LedgerError("A recovery takes some of what is still payable for the order.")
    vendor_id = vendor_order.vendor_id
    return post(
        reference,
        "recovery",
        f"Vendor order {vendor_order.id} kept back against what vendor {vendor_id} owes",
        _postings(
            vendor_order.currency,
            (vendor_code(vendor_id, "payable"), recovered_minor),
            (vendor_code(vendor_id, "receivable"), -recovered_minor),
        ),
        order_id=vendor_order.order_id,
    )


def book_payout_sent(payout: Payout) -> LedgerTransaction:
    """A payout leaves the vendor's available balance for its bank (`payout:<id>`).

        Dr vendor:<v>:balance       amount
        Cr vendor:<v>:in_payout     amount
    Never more than the balance left after what the vendor owes.
    """
    reference = f"payout:{payout.id}"
    existing = transaction(reference)
    if existing is not None:
        return existing
    position = vendor_position(payout.vendor_id, payout.currency)
    available = position.balance - max(position.receivable, 0)
    if not 0 < payout.amount_minor <= available:
        raise LedgerError(
            f"A payout of {payout.amount_minor} exceeds the {available} available to pay."
        )
    return post(
        reference,
        "payout",
        f"Payout {payout.id} to vendor {payout.vendor_id}",
        _postings(
            payout.currency,
            (vendor_code(payout.vendor_id, "balance"), payout.amount_minor),
            (vendor_code(payout.vendor_id, "in_payout"), -payout.amount_minor),
        ),
    )


def book_payout_paid(payout: Payout) -> LedgerTransaction:
    """The bank received the payout: the money leaves the gateway (`payout:<id>:paid`).

    Dr vendor:<v>:in_payout     amount
    Cr platform:cash            amount
    """
    if transaction(f"payout:{payout.id}") is None:
        raise LedgerError("That payout was never booked as sent.")
    return post(
        f"payout:{payout.id}:paid",
        "payout_paid",
        f"Payout {payout.id} to vendor {payout.vendor_id} paid",
        _postings(
            payout.currency,
            (vendor_code(payout.vendor_id, "in_payout"), payout.amount_minor),
            (CASH, -payout.amount_minor),
        ),
    )


def book_payout_failed(payout: Payout) -> LedgerTransaction:
    """The payout did not reach the bank: its money is available again (`payout:<id>:failed`).

        Dr vendor:<v>:in_payout     amount
        Cr vendor:<v>:balance       amount
    A payout the bank sends back after it was booked paid first comes back from the bank
    (`payout:<id>:returned`: Dr platform:cash / Cr vendor:<v>:in_payout).
    """
    if transaction(f"payout:{payout.id}") is None:
        raise LedgerError("That payout was never booked as sent.")
    in_payout = vendor_code(payout.vendor_id, "in_payout")
    if transaction(f"payout:{payout.id}:paid") is not None:
        post(
            f"payout:{payout.id}:returned",
            "payout_returned",
            f"Payout {payout.id} to vendor {payout.vendor_id} sent back by the bank",
            _postings(
                payout.currency, (CASH, payout.amount_minor), (in_payout, -payout.amount_minor)
            ),
        )
    return post(
        f"payout:{payout.id}:failed",
        "payout_failed",
        f"Payout {payout.id} to vendor {payout.vendor_id} failed",
        _postings(
            payout.currency,
            (in_payout, payout.amount_minor),
            (vendor_code(payout.vendor_id, "balance"), -payout.amount_minor),
        ),
    )


def book_refund(
    refund: Refund,
    commission_returned_minor: int,
    reversal_succeeded: bool,
    *,
    tax_returned_minor: int | None = None,
) -> LedgerTransaction:
    """Book money returned to a buyer for one vendor order (`refund:<id>`).

        Cr platform:cash            refund amount (the buyer's money leaves)
        Dr platform:tax_payable     tax on what is refunded (no longer owed)
        Dr platform:commission      commission returned (0 under the "keep" policy)
        Dr vendor:<v>:payable       the vendor's share, from what is not yet transferred
        Dr vendor:<v>:balance       the rest of it, reversed from the transfer
        Dr vendor:<v>:receivable    whatever could not be reversed (reversal failed or too small)
    The vendor's share is amount - tax - commission returned (`refunds.plan_refund` works all
    of it out before the gateway is called; see `marketplace.payouts.refunds`).
    """
    reference = refund_reference(refund.id)
    existing = transaction(reference)
    if existing is not None:
        return existing
    vendor_order = _refund_vendor_order(refund)
    tax = refund.tax_minor if tax_returned_minor is None else tax_returned_minor
    commission = commission_returned_minor
    for value in (tax, commission):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RefundError("Refunded tax and commission are whole, non-negative amounts.")
    if refund.commission_returned_minor != commission:
        raise RefundError("The refund's record disagrees with the commission returned.")
    share_minor = refund.amount_minor - tax - commission
    history = refund_history(vendor_order, excluding=refund.id)
    if tax > vendor_order.tax_minor - history.tax_minor:
        raise RefundError("That refund returns more tax than is left on the vendor order.")
    if commission > vendor_order.commission_minor - history.commission_minor:
        raise RefundError("That refund returns more commission than is left on the vendor order.")
    goods_left = vendor_order.subtotal_minor + vendor_order.shipping_minor - history.goods_minor
    if share_minor < 0 or share_minor + commission > goods_left:
        raise RefundError("That refund is more than is left to refund on the vendor order.")
    share = allocate_vendor_share(vendor_order, share_minor, reversal_succeeded=reversal_succeeded)
    if reversal_succeeded and share.from_balance != refund.reversal_minor:
        raise RefundError(
            f"The refund reversed {refund.reversal_minor} but {share.from_balance} was due."
        )
    vendor_id = vendor_order.vendor_id
    return post(
        reference,
        "refund",
        f"Refund {refund.id} of vendor order {vendor_order.id}",
        _postings(
            refund.currency,
            (CASH, -refund.amount_minor),
            (TAX_PAYABLE, tax),
            (COMMISSION, commission),
            (vendor_code(vendor_id, "payable"), share.from_payable),
            (vendor_code(vendor_id, "balance"), share.from_balance),
            (vendor_code(vendor_id, "receivable"), share.to_receivable),
        ),
        order_id=vendor_order.order_id,
    )


def _refund_vendor_order(refund: Refund) -> VendorOrder:
    """The refund's vendor order, checked against its payment, currency and paid booking."""
    if refund.id is None:
        raise RefundError("Save the refund before booking it.")
    if refund.status == RefundStatus.FAILED:
        raise RefundError("A failed refund moved no money.")
    if refund.vendor_order_id is None:
        raise RefundError("A refund is booked per vendor order.")
    vendor_order = db.session.get(VendorOrder, refund.vendor_order_id)
    payment = db.session.get(Payment, refund.payment_id)
    if vendor_order is None or payment is None or payment.order_id != vendor_order.order_id:
        raise RefundError("That refund does not match its payment's order.")
    if refund.currency != vendor_order.currency:
        raise RefundError("A refund is made in its order's currency.")
    if transaction(f"order:{vendor_order.order_id}:split") is None:
        raise RefundError("That order's payment has not been booked.")
    return vendor_order
