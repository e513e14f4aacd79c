"""payouts: release holds, balances, payout runs, statements (issue 7)

Revision ID: 5a3b7d9f1e42
Revises: 4f2a6c8e0d31
Create Date: 2026-11-26 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a3b7d9f1e42'
down_revision = '4f2a6c8e0d31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payout_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released", sa.Integer(), server_default="0", nullable=False),
        sa.Column("vendors", sa.Integer(), server_default="0", nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("skipped", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_runs")),
    )
    with op.batch_alter_table("payout_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_runs_started_at"), ["started_at"], unique=False)

    op.create_table(
        "vendor_payout_settings",
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("schedule", sa.String(length=8), server_default="weekly", nullable=False),
        sa.Column("weekday", sa.Integer(), server_default="0", nullable=False),
        sa.Column("month_day", sa.Integer(), server_default="1", nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "schedule IN ('daily', 'weekly', 'monthly')",
            name=op.f("ck_vendor_payout_settings_schedule_valid"),
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_vendor_payout_settings_weekday_range")
        ),
        sa.CheckConstraint(
            "month_day BETWEEN 1 AND 28", name=op.f("ck_vendor_payout_settings_month_day_range")
        ),
        sa.ForeignKeyConstraint(
            ["held_by_id"],
            ["users.id"],
            name=op.f("fk_vendor_payout_settings_held_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_vendor_payout_settings_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vendor_id", name=op.f("pk_vendor_payout_settings")),
    )

    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("gateway", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("destination", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failure_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_payouts_run_id_payout_runs"), "payout_runs", ["run_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_payouts_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payouts_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_payouts_vendor_id_created_at", ["vendor_id", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index("ix_payouts_vendor_id_created_at")
        batch_op.drop_index(batch_op.f("ix_payouts_status"))
        batch_op.drop_index(batch_op.f("ix_payouts_run_id"))
        batch_op.drop_constraint(batch_op.f("fk_payouts_run_id_payout_runs"), type_="foreignkey")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("failure_message")
        batch_op.drop_column("destination")
        batch_op.drop_column("gateway")
        batch_op.drop_column("run_id")

    op.drop_table("vendor_payout_settings")
    with op.batch_alter_table("payout_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payout_runs_started_at"))
    op.drop_table("payout_runs")
