"""search latency: no schema change (issue 5)

The database backend's latency work at 200,000 products changed how a search is asked, not
what is stored: attribute filters test the candidate's own facet tokens (already indexed by
revision 09da7982fc92) instead of collecting every product with the value, a row that fails a
facet filter is no longer scored, and rows are read as plain tuples. A narrow ranking table
split from the wide text table was measured and left out: with the rows in memory it read no
faster on either engine (see marketplace/search/README.md). This revision stays, empty, so
the chain of revisions after it keeps its order.

Revision ID: 3c1d5e7a9b20
Revises: 09da7982fc92
Create Date: 2026-11-26 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d5e7a9b20'
down_revision = '09da7982fc92'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
