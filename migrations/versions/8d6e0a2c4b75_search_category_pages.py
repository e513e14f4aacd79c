"""search: fast category pages without a query (issue 5)

A category page (a search with a category and no text) used to read every product of the
category to count its facets and sort its page. Now:
- `search_facet_counts` keeps, per category (and "" for the whole catalogue) and stock state,
  how many products count for each facet token; the search writer keeps it current in the
  same transaction as the documents. This revision fills it from the documents already
  indexed, so no reindex is needed.
- one index per sort order holds each category's products in that order
  (`ix_search_documents_page_*`); they start with the category path, so the plain
  `ix_search_documents_category_path` is dropped.
- `ix_search_documents_browse` holds everything a page without text but with a facet filter
  reads (filters, sort keys, facet tokens), so such a page reads it instead of the wide rows.

Revision ID: 8d6e0a2c4b75
Revises: 7c5d9f1b3a64
Create Date: 2026-11-26 05:50:00

"""
from collections import Counter

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d6e0a2c4b75'
down_revision = '7c5d9f1b3a64'
branch_labels = None
depends_on = None

# Each sort order after the category path; every index ends with quality (best first), the
# product id and the stock flag (so an in-stock page reads only the index).
PAGE_ORDERS = {
    'relevance': [],
    'price_asc': ['price_minor'],
    'price_desc': [sa.text('price_minor DESC')],
    'newest': [sa.text('created_epoch DESC')],
    'rating': [sa.text('rating_score DESC')],
    'best_selling': [sa.text('sales_count DESC')],
}
BROWSE_COLUMNS = [
    'category_path', 'in_stock', 'vendor_slug', 'price_minor', 'rating_count', 'rating_avg',
    'quality', 'created_epoch', 'rating_score', 'sales_count', 'product_id', 'facet_tokens',
]
INSERT_BATCH = 5000


def upgrade():
    op.create_table('search_facet_counts',
    sa.Column('category_path', sa.String(length=400), nullable=False),
    sa.Column('in_stock', sa.Boolean(), nullable=False),
    sa.Column('token', sa.String(length=410), nullable=False),
    sa.Column('products', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('category_path', 'in_stock', 'token', name=op.f('pk_search_facet_counts')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_category_path')
        for order, keys in PAGE_ORDERS.items():
            batch_op.create_index(
                f'ix_search_documents_page_{order}',
                ['category_path', *keys, sa.text('quality DESC'), 'product_id', 'in_stock'],
                unique=False,
            )
        batch_op.create_index('ix_search_documents_browse', BROWSE_COLUMNS, unique=False)
    _count_indexed_documents()


def downgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_browse')
        for order in reversed(PAGE_ORDERS):
            batch_op.drop_index(f'ix_search_documents_page_{order}')
        batch_op.create_index('ix_search_documents_category_path', ['category_path'], unique=False)
    op.drop_table('search_facet_counts')


def _scopes(path):
    """The whole catalogue ("") and the path and each path above it (as the writer counts)."""
    parts = path.split('/')
    return dict.fromkeys(['', *('/'.join(parts[: d + 1]) for d in range(len(parts)))])


def _count_indexed_documents():
    """Fill the counts from the documents already indexed: each facet token of each document
    counted in its category and every category above it, by stock state."""
    bind = op.get_bind()
    per_category = Counter()
    rows = bind.execute(sa.text('SELECT category_path, in_stock, facet_tokens FROM search_documents'))
    for path, in_stock, tokens in rows:
        for token in (tokens or '').split():
            per_category[(path, bool(in_stock), token)] += 1
    totals = Counter()
    for (path, in_stock, token), n in per_category.items():
        for scope in _scopes(path):
            totals[(scope, in_stock, token)] += n
    table = sa.table(
        'search_facet_counts',
        sa.column('category_path', sa.String),
        sa.column('in_stock', sa.Boolean),
        sa.column('token', sa.String),
        sa.column('products', sa.Integer),
    )
    ordered = [
        {'category_path': scope, 'in_stock': in_stock, 'token': token, 'products': n}
        for (scope, in_stock, token), n in sorted(totals.items())
    ]
    for start in range(0, len(ordered), INSERT_BATCH):
        op.bulk_insert(table, ordered[start : start + INSERT_BATCH])
