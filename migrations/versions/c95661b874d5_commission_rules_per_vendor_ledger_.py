"""commission rules per vendor, ledger accounts per currency

Revision ID: c95661b874d5
Revises: 525de152fee2
Create Date: 2026-11-26 01:47:32.053160

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c95661b874d5"
down_revision = "525de152fee2"
branch_labels = None
depends_on = None

SCOPE_MATCHES = (
    "(category_id IS NULL AND vendor_id IS NULL AND scope = 'default')"
    " OR (category_id IS NOT NULL AND vendor_id IS NULL"
    " AND scope = 'category:' || CAST(category_id AS VARCHAR(20)))"
    " OR (vendor_id IS NOT NULL AND category_id IS NULL"
    " AND scope = 'vendor:' || CAST(vendor_id AS VARCHAR(20)))"
)


def upgrade():
    with op.batch_alter_table("commission_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scope", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_commission_rules_vendor_id_vendors"), "vendors", ["vendor_id"], ["id"]
        )
    # Existing rules are the default or a category's.
    op.execute(
        "UPDATE commission_rules SET scope = CASE WHEN category_id IS NULL THEN 'default'"
        " ELSE 'category:' || CAST(category_id AS VARCHAR(20)) END"
    )
    with op.batch_alter_table("commission_rules", schema=None) as batch_op:
        batch_op.alter_column("scope", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_commission_rules_scope"), ["scope"])
        batch_op.create_check_constraint(op.f("ck_commission_rules_scope_matches"), SCOPE_MATCHES)

    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ledger_accounts_code"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_ledger_accounts_code_currency"), ["code", "currency"]
        )


def downgrade():
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ledger_accounts_code_currency"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_ledger_accounts_code"), ["code"])

    op.execute("DELETE FROM commission_rules WHERE vendor_id IS NOT NULL")
    with op.batch_alter_table("commission_rules", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_commission_rules_scope_matches"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_commission_rules_vendor_id_vendors"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_commission_rules_scope"), type_="unique")
        batch_op.drop_column("scope")
        batch_op.drop_column("vendor_id")
