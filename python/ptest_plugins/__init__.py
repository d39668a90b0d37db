"""Plugins for the ptest framework (PyPI ``ptestx``).

ptestx's isolation registry imports ``ptest_plugins.isolation`` and registers
the engines it finds there. ``ptest_plugins`` itself is a shared namespace
(pkgutil style): other distributions may ship their own ``ptest_plugins.*``
modules beside ours. Nothing here is imported by ``ptest_isolation``."""

__path__ = __import__("pkgutil").extend_path(__path__, __name__)
