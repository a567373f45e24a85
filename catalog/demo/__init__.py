"""The Kota Pontianak demo catalogue: real OPDs, synthetic but plausible data (`terbuka demo`)."""

from catalog.demo.loader import load_demo

__all__ = ["load_demo"]
