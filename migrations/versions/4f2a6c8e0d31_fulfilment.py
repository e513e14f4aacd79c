"""fulfilment: vendor order timeline, shipments, tracking, returns (issue 7)

Revision ID: 4f2a6c8e0d31
Revises: 3c1d5e7a9b20
Create Date: 2026-11-26 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f2a6c8e0d31'
down_revision = '3c1d5e7a9b20'
branch_labels = None
depends_on = None


VENDOR_ORDER_TIMES = ('accepted_at', 'shipped_at', 'cancelled_at', 'ship_reminder_sent_at')
RETURN_TIMES = ('respond_by', 'escalated_at', 'received_at', 'dispute_decided_at')


def upgrade():
    with op.batch_alter_table('vendor_orders', schema=None) as batch_op:
        for name in VENDOR_ORDER_TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('quantity_cancelled', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('quantity_returned', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_order_lines_cancelled_within_unshipped'),
            'quantity_cancelled >= 0 AND quantity_shipped + quantity_cancelled <= quantity',
        )
        batch_op.create_check_constraint(
            op.f('ck_order_lines_returned_within_shipped'),
            'quantity_returned BETWEEN 0 AND quantity_shipped',
        )

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('provider', sa.String(length=20), server_default='embedded', nullable=False)
        )
        batch_op.add_column(sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        for name in RETURN_TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_label_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('return_address', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('escalation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('resellable', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('refund_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dispute_decision', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('dispute_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('dispute_decided_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_return_requests_refund_id_refunds'), 'refunds', ['refund_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_return_requests_dispute_decided_by_id_users'),
            'users',
            ['dispute_decided_by_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_check_constraint(
            op.f('ck_return_requests_dispute_decision_valid'),
            "dispute_decision IS NULL OR dispute_decision IN ('refund', 'refuse')",
        )
        batch_op.create_index(batch_op.f('ix_return_requests_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_requests_status'))
        batch_op.drop_constraint(
            batch_op.f('ck_return_requests_dispute_decision_valid'), type_='check'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_return_requests_dispute_decided_by_id_users'), type_='foreignkey'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_return_requests_refund_id_refunds'), type_='foreignkey'
        )
        for name in (
            'dispute_decided_by_id',
            'dispute_reason',
            'dispute_decision',
            'refund_id',
            'resellable',
            'escalation_reason',
            'return_address',
            'return_label_url',
            *reversed(RETURN_TIMES),
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_column('last_event_at')
        batch_op.drop_column('provider')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_lines_returned_within_shipped'), type_='check')
        batch_op.drop_constraint(op.f('ck_order_lines_cancelled_within_unshipped'), type_='check')
        batch_op.drop_column('quantity_returned')
        batch_op.drop_column('quantity_cancelled')

    with op.batch_alter_table('vendor_orders', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        for name in reversed(VENDOR_ORDER_TIMES):
            batch_op.drop_column(name)
