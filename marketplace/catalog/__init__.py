"""Catalog: categories, products, variants, images, stock and listing standards."""
