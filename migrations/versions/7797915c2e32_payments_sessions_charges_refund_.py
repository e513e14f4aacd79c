"""payments: checkout sessions, charges, event order, refund breakdown, offline gateway objects

Revision ID: 7797915c2e32
Revises: c95661b874d5
Create Date: 2026-11-26 01:54:55.669181

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7797915c2e32"
down_revision = "c95661b874d5"
branch_labels = None
depends_on = None

REFUND_CHECKS = {
    "reversal_status_valid": "reversal_status IN ('not_needed', 'succeeded', 'failed')",
    "shipping_non_negative": "shipping_minor >= 0",
    "tax_non_negative": "tax_minor >= 0",
    "commission_non_negative": "commission_returned_minor >= 0",
    "reversal_non_negative": "reversal_minor >= 0",
    "parts_within_amount": "shipping_minor + tax_minor <= amount_minor",
}


def upgrade():
    op.create_table(
        "offline_gateway_objects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_gateway_objects")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_offline_gateway_objects_idempotency_key")
        ),
        sa.UniqueConstraint("object_id", name=op.f("uq_offline_gateway_objects_object_id")),
    )
    with op.batch_alter_table("offline_gateway_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offline_gateway_objects_kind"), ["kind"], unique=False)

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_reference", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("charge_reference", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("last_event_at", sa.Integer(), nullable=True))

    with op.batch_alter_table("refunds", schema=None) as batch_op:
        for name in ("shipping_minor", "tax_minor", "commission_returned_minor", "reversal_minor"):
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("restock", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column(
                "reversal_status",
                sa.String(length=12),
                server_default="not_needed",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("reversal_reference", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("failure_message", sa.Text(), nullable=True))
        for name, condition in REFUND_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_refunds_{name}"), condition)


def downgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        for name in REFUND_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_refunds_{name}"), type_="check")
        for name in (
            "failure_message",
            "reversal_reference",
            "reversal_status",
            "restock",
            "reversal_minor",
            "commission_returned_minor",
            "tax_minor",
            "shipping_minor",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("last_event_at")
        batch_op.drop_column("charge_reference")
        batch_op.drop_column("session_reference")

    with op.batch_alter_table("offline_gateway_objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_gateway_objects_kind"))
    op.drop_table("offline_gateway_objects")
