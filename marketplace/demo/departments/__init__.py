"""The demo catalogue's departments, one module each, in storefront order."""

from marketplace.demo.departments import (
    beauty,
    books_stationery,
    electronics,
    fashion,
    garden,
    home_kitchen,
    outdoors,
    pet_supplies,
    sports_fitness,
    toys_games,
)
from marketplace.demo.departments._base import Department, Leaf, slugify

DEPARTMENTS: tuple[Department, ...] = tuple(
    module.DEPARTMENT
    for module in (
        home_kitchen,
        electronics,
        fashion,
        outdoors,
        beauty,
        toys_games,
        books_stationery,
        pet_supplies,
        sports_fitness,
        garden,
    )
)
LEAVES: tuple[Leaf, ...] = tuple(leaf for dept in DEPARTMENTS for leaf in dept.leaves)

__all__ = ["DEPARTMENTS", "LEAVES", "Department", "Leaf", "slugify"]
