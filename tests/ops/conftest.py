"""The small Pontianak catalogue of tests/catalog, for the operating commands."""

from tests.catalog.conftest import Catalogue, catalogue

__all__ = ["Catalogue", "catalogue"]
