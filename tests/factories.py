"""factory_boy factories for the domain models; they flush into the test's session."""

from __future__ import annotations

import functools

import factory
from factory.alchemy import SQLAlchemyModelFactory

from marketplace.accounts.models import User
from marketplace.catalog.models import Category, Product, ProductStatus, Variant
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.vendors.models import Vendor, VendorStatus

DEFAULT_PASSWORD = "correct-horse-battery"


@functools.cache
def _password_hash(password: str) -> str:
    from marketplace.accounts.services import hash_password

    return hash_password(password)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User
        exclude = ("password",)

    password = DEFAULT_PASSWORD
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password_hash = factory.LazyAttribute(lambda o: _password_hash(o.password))


class VendorFactory(BaseFactory):
    class Meta:
        model = Vendor

    owner = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    business_name = factory.LazyAttribute(lambda o: f"{o.display_name} LLC")
    country = "US"
    contact_email = factory.LazyAttribute(lambda o: f"{o.slug}@example.com")
    description = "Small-batch goods made with care."
    status = VendorStatus.APPROVED
    charges_enabled = True
    payouts_enabled = True
    approved_at = factory.LazyFunction(utcnow)


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    path = factory.LazyAttribute(
        lambda o: o.slug if o.parent is None else f"{o.parent.path}/{o.slug}"
    )
    parent = None
    required_attributes = factory.LazyFunction(list)


class ProductFactory(BaseFactory):
    class Meta:
        model = Product

    vendor = factory.SubFactory(VendorFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Handmade Ceramic Mug No. {n}")
    slug = factory.Sequence(lambda n: f"handmade-ceramic-mug-{n}")
    description = "A sturdy stoneware mug, glazed by hand and fired twice. Dishwasher safe."
    status = ProductStatus.LIVE
    attributes = factory.LazyFunction(dict)
    published_at = factory.LazyFunction(utcnow)


class VariantFactory(BaseFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    vendor_id = factory.LazyAttribute(lambda o: o.product.vendor_id)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = "Default"
    price_minor = 2500
    currency = "USD"
    stock_on_hand = 10
    reorder_point = 2
