"""admin oversight: audit log, search analytics, scorecards (issue 8)

Revision ID: 7c5d9f1b3a64
Revises: 6b4c8e0a2f53
Create Date: 2026-11-26 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c5d9f1b3a64'
down_revision = '6b4c8e0a2f53'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "admin_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"],
            name=op.f("fk_admin_actions_actor_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_actions")),
    )
    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_actions_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_actions_action"), ["action"], unique=False)
        batch_op.create_index("ix_admin_actions_at", ["at"], unique=False)
        batch_op.create_index(
            "ix_admin_actions_target", ["target_type", "target_id"], unique=False
        )

    op.create_table(
        "admin_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"],
            name=op.f("fk_admin_settings_updated_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_admin_settings")),
    )

    op.create_table(
        "search_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("has_filters", sa.Boolean(), nullable=False),
        sa.Column("total_results", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(length=20), nullable=False),
        sa.Column("page", sa.Integer(), server_default="1", nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_logs")),
    )
    with op.batch_alter_table("search_logs", schema=None) as batch_op:
        batch_op.create_index("ix_search_logs_at_query", ["at", "query"], unique=False)

    op.create_table(
        "search_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["search_id"], ["search_logs.id"],
            name=op.f("fk_search_clicks_search_id_search_logs"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_clicks")),
    )
    with op.batch_alter_table("search_clicks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_clicks_search_id"), ["search_id"], unique=False)


def downgrade():
    with op.batch_alter_table("search_clicks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_clicks_search_id"))
    op.drop_table("search_clicks")

    with op.batch_alter_table("search_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_search_logs_at_query")
    op.drop_table("search_logs")

    op.drop_table("admin_settings")

    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_actions_target")
        batch_op.drop_index("ix_admin_actions_at")
        batch_op.drop_index(batch_op.f("ix_admin_actions_action"))
        batch_op.drop_index(batch_op.f("ix_admin_actions_actor_id"))
    op.drop_table("admin_actions")
