"""search: the columns every match reads first, facet codes, documents laid out by category (issue 5)

A broad search reads thousands of `search_documents` rows. A row is read column by column up
to the last column asked for, and the long texts came first, so reaching `quality` or the facet
tokens cost more than matching the row. This revision rebuilds the table with the fixed-width
columns first, then the texts ranking and facets read, then the rest; and adds:
- `search_facet_codes`: every facet token numbered once, and `search_documents.facet_codes`,
  each document's tokens as packed numbers, which a search counts as one array;
- `facet_codes` in `ix_search_documents_browse`, which category clicks read instead of rows.
The documents are copied in category order (as a rebuild writes them), so on PostgreSQL the
products of a category share pages. Nothing needs reindexing.

Revision ID: 9e7f1b3d5a86
Revises: 8d6e0a2c4b75
Create Date: 2026-11-26 08:20:00

"""
from array import array
import sys

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '9e7f1b3d5a86'
down_revision = '8d6e0a2c4b75'
branch_labels = None
depends_on = None

NEXT = 'search_documents_next'
COPY_BATCH = 2000
# As in 8d6e0a2c4b75: each sort order after the category path, then quality (best first),
# the product id and the stock flag.
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
# As in 09da7982fc92 (generated columns are created with the table here).
SEARCH_VECTOR = (
    "setweight(to_tsvector('simple', category_key), 'A') "
    "|| setweight(to_tsvector('simple', title_key), 'B') "
    "|| setweight(to_tsvector('simple', details_key), 'C') "
    "|| setweight(to_tsvector('simple', description_key), 'D')"
)
NAMES_VECTOR = (
    "setweight(to_tsvector('simple', category_key), 'A') "
    "|| setweight(to_tsvector('simple', title_key), 'B') "
    "|| setweight(to_tsvector('simple', details_key), 'C')"
)


def _columns():
    """The stored columns, in their new order (see `SearchDocumentRow`)."""
    return [
        sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('price_minor', sa.Integer(), nullable=False),
        sa.Column('rating_count', sa.Integer(), nullable=False),
        sa.Column('sales_count', sa.Integer(), nullable=False),
        sa.Column('vendor_id', sa.Integer(), nullable=False),
        sa.Column('rating_avg', sa.Float(), nullable=False),
        sa.Column('rating_score', sa.Float(), nullable=False),
        sa.Column('created_epoch', sa.Float(), nullable=False),
        sa.Column('quality', sa.Float(), nullable=False),
        sa.Column('in_stock', sa.Boolean(), nullable=False),
        sa.Column('facet_codes', sa.LargeBinary(), nullable=False),
        sa.Column('category_key', sa.Text(), nullable=False),
        sa.Column('tags_key', sa.Text(), nullable=False),
        sa.Column('title_key', sa.Text(), nullable=False),
        sa.Column('facet_tokens', sa.Text(), nullable=False),
        sa.Column('vendor_slug', sa.String(length=80), nullable=False),
        sa.Column('category_path', sa.String(length=400), nullable=False),
        sa.Column('description_key', sa.Text(), nullable=False),
        sa.Column('details_key', sa.Text(), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('slug', sa.String(length=240), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('vendor_name', sa.String(length=80), nullable=False),
        sa.Column('category_names', sa.Text(), nullable=False),
        sa.Column('attributes', sa.Text(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.create_table('search_facet_codes',
    sa.Column('code', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=410), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_search_facet_codes')),
    sa.UniqueConstraint('token', name=op.f('uq_search_facet_codes_token'))
    )
    generated = []
    if postgres:
        generated = [
            sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed(SEARCH_VECTOR, persisted=True)),
            sa.Column('names_vector', postgresql.TSVECTOR(), sa.Computed(NAMES_VECTOR, persisted=True)),
        ]
    op.create_table(NEXT, *_columns(), *generated,
    sa.PrimaryKeyConstraint('product_id', name='pk_search_documents_next')
    )
    _copy_documents()
    op.drop_table('search_documents')
    op.rename_table(NEXT, 'search_documents')
    if postgres:
        op.execute('ALTER TABLE search_documents RENAME CONSTRAINT pk_search_documents_next TO pk_search_documents')
    _create_indexes(postgres, with_codes=True)
    for table in ('search_documents', 'search_facet_codes'):
        op.execute(f'ANALYZE {table}')  # searches are planned from these statistics


def downgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_browse')
        batch_op.create_index('ix_search_documents_browse', BROWSE_COLUMNS, unique=False)
        batch_op.drop_column('facet_codes')
    op.drop_table('search_facet_codes')


def _create_indexes(postgres, with_codes):
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_price_minor', ['price_minor'], unique=False)
        batch_op.create_index('ix_search_documents_vendor_slug', ['vendor_slug'], unique=False)
        for order, keys in PAGE_ORDERS.items():
            batch_op.create_index(
                f'ix_search_documents_page_{order}',
                ['category_path', *keys, sa.text('quality DESC'), 'product_id', 'in_stock'],
                unique=False,
            )
        browse = BROWSE_COLUMNS + (['facet_codes'] if with_codes else [])
        batch_op.create_index('ix_search_documents_browse', browse, unique=False)
    if postgres:
        for column in ('search_vector', 'names_vector'):
            op.execute(
                f'CREATE INDEX ix_search_documents_{column} ON search_documents '
                f'USING gin ({column}) WITH (fastupdate = off)'
            )


def _copy_documents():
    """Copy every document in category order, numbering its facet tokens on the way."""
    bind = op.get_bind()
    names = [c.name for c in _columns()]
    stored = [n for n in names if n != 'facet_codes']
    source = sa.table('search_documents', *(sa.column(n) for n in stored))
    target = sa.table(NEXT, *(sa.column(n) for n in names))
    codes = _number_tokens(bind)
    query = sa.select(*source.c).order_by(source.c.category_path, source.c.product_id)
    streamed = {'stream_results': True, 'yield_per': COPY_BATCH}
    rows = bind.execute(query, execution_options=streamed)
    for batch in rows.mappings().partitions(COPY_BATCH):
        copied = []
        for row in batch:
            numbers = array('I', (codes[t] for t in row['facet_tokens'].split()))
            if sys.byteorder == 'big':
                numbers.byteswap()  # stored little-endian, as `fields.pack_codes` writes
            copied.append({**row, 'facet_codes': numbers.tobytes()})
        bind.execute(sa.insert(target), copied)


def _number_tokens(bind):
    """Number every facet token of the stored documents; returns token → code."""
    tokens = set()
    for (packed,) in bind.execute(sa.text('SELECT facet_tokens FROM search_documents')):
        tokens.update(packed.split())
    table = sa.table('search_facet_codes', sa.column('token', sa.String))
    ordered = [{'token': token} for token in sorted(tokens)]
    for start in range(0, len(ordered), COPY_BATCH):
        op.bulk_insert(table, ordered[start : start + COPY_BATCH])
    return dict(
        (token, code) for code, token in bind.execute(sa.text('SELECT code, token FROM search_facet_codes'))
    )
