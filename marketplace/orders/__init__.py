"""Orders: carts, orders split per vendor, order lines."""
