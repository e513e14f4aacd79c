"""reviews: checks, invitations, aggregates, photos (issue 8)

Reviews gain what the automatic checks, the product page's sorts and filters and moderation
need; new tables hold each review's check results and photos, the shop ratings given per vendor
order, the review invitations sent, and the stored star histograms of products and shops.

Revision ID: 6b4c8e0a2f53
Revises: 5a3b7d9f1e42
Create Date: 2026-11-26 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b4c8e0a2f53'
down_revision = '5a3b7d9f1e42'
branch_labels = None
depends_on = None

STAR_COLUMNS = ('stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5')


def _star_columns():
    return [
        sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in STAR_COLUMNS
    ] + [sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('photo_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('helpful_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('text_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('moderation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f('ck_reviews_helpful_non_negative'), 'helpful_count >= 0')
        batch_op.create_check_constraint(op.f('ck_reviews_photo_count_non_negative'), 'photo_count >= 0')
        batch_op.create_index(batch_op.f('ix_reviews_text_hash'), ['text_hash'], unique=False)
        batch_op.create_index('ix_reviews_product_status_created', ['product_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_reviews_product_status_helpful', ['product_id', 'status', 'helpful_count'], unique=False)
        batch_op.create_index('ix_reviews_product_status_rating', ['product_id', 'status', 'rating'], unique=False)
        batch_op.create_index('ix_reviews_vendor_created', ['vendor_id', 'created_at'], unique=False)

    with op.batch_alter_table('review_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_review_reports_resolved_by_id_users'), 'users', ['resolved_by_id'], ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index(batch_op.f('ix_review_reports_resolved_at'), ['resolved_at'], unique=False)

    op.create_table('review_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_photos_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_photos'))
    )
    with op.batch_alter_table('review_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_photos_review_id'), ['review_id'], unique=False)

    op.create_table('review_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_checks_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_checks')),
    sa.UniqueConstraint('review_id', 'name', name=op.f('uq_review_checks_review_id_name'))
    )

    op.create_table('vendor_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_order_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('item_as_described', sa.Integer(), nullable=False),
    sa.Column('shipping_speed', sa.Integer(), nullable=False),
    sa.Column('communication', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('item_as_described BETWEEN 1 AND 5', name=op.f('ck_vendor_ratings_item_range')),
    sa.CheckConstraint('shipping_speed BETWEEN 1 AND 5', name=op.f('ck_vendor_ratings_shipping_range')),
    sa.CheckConstraint('communication BETWEEN 1 AND 5', name=op.f('ck_vendor_ratings_communication_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_vendor_ratings_author_id_users')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_vendor_ratings_vendor_id_vendors')),
    sa.ForeignKeyConstraint(['vendor_order_id'], ['vendor_orders.id'], name=op.f('fk_vendor_ratings_vendor_order_id_vendor_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_ratings')),
    sa.UniqueConstraint('vendor_order_id', name=op.f('uq_vendor_ratings_vendor_order_id'))
    )
    with op.batch_alter_table('vendor_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_ratings_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vendor_ratings_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('review_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_order_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_review_invitations_buyer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_order_id'], ['vendor_orders.id'], name=op.f('fk_review_invitations_vendor_order_id_vendor_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_invitations')),
    sa.UniqueConstraint('vendor_order_id', name=op.f('uq_review_invitations_vendor_order_id'))
    )
    with op.batch_alter_table('review_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_invitations_buyer_id'), ['buyer_id'], unique=False)

    op.create_table('product_rating_stats',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    *_star_columns(),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_rating_stats_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_rating_stats'))
    )
    op.create_table('vendor_rating_stats',
    sa.Column('vendor_id', sa.Integer(), autoincrement=False, nullable=False),
    *_star_columns(),
    sa.Column('ratings_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('item_as_described_sum', sa.Integer(), server_default='0', nullable=False),
    sa.Column('shipping_speed_sum', sa.Integer(), server_default='0', nullable=False),
    sa.Column('communication_sum', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_vendor_rating_stats_vendor_id_vendors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vendor_id', name=op.f('pk_vendor_rating_stats'))
    )


def downgrade():
    op.drop_table('vendor_rating_stats')
    op.drop_table('product_rating_stats')
    with op.batch_alter_table('review_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_invitations_buyer_id'))
    op.drop_table('review_invitations')
    with op.batch_alter_table('vendor_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_ratings_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_vendor_ratings_author_id'))
    op.drop_table('vendor_ratings')
    op.drop_table('review_checks')
    with op.batch_alter_table('review_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_photos_review_id'))
    op.drop_table('review_photos')

    with op.batch_alter_table('review_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reports_resolved_at'))
        batch_op.drop_constraint(batch_op.f('fk_review_reports_resolved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('resolved_by_id')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_vendor_created')
        batch_op.drop_index('ix_reviews_product_status_rating')
        batch_op.drop_index('ix_reviews_product_status_helpful')
        batch_op.drop_index('ix_reviews_product_status_created')
        batch_op.drop_index(batch_op.f('ix_reviews_text_hash'))
        batch_op.drop_constraint(op.f('ck_reviews_photo_count_non_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_reviews_helpful_non_negative'), type_='check')
        batch_op.drop_column('published_at')
        batch_op.drop_column('edited_at')
        batch_op.drop_column('moderation_reason')
        batch_op.drop_column('text_hash')
        batch_op.drop_column('helpful_count')
        batch_op.drop_column('photo_count')
        batch_op.drop_column('verified')
