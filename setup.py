"""Marks the wheel as platform-specific: it ships a compiled shared library
(and the Swift runtime it links). Everything else is in pyproject.toml."""

from setuptools import setup
from setuptools.dist import Distribution


class BinaryDistribution(Distribution):
    def has_ext_modules(self) -> bool:
        return True


setup(distclass=BinaryDistribution)
