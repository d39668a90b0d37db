"""ptest-isolation's engines for the ptest framework (PyPI ``ptestx``).

ptestx's ``EngineRegistry`` imports this module and registers the
``IsolationEngine`` subclasses here that carry ``__engine_info__``:

- ``iso-virtualenv`` — :class:`IsoVirtualenvEngine`, our virtualenv engine;
- ``iso-docker`` — :class:`IsoDockerEngine`, our Docker engine.

(ptestx's registry keeps its built-in ``virtualenv`` and ``docker`` names and
refuses duplicates, hence the ``iso-`` prefix.) Their environments are
:class:`IsoEnvironment`, ptestx's ``IsolatedEnvironment`` contract translated
call for call to :class:`ptest_isolation.Environment`. See docs/ptest.md.

Importing this module needs ptestx; ``import ptest_isolation`` never does."""

from . import _ptestx  # noqa: F401  (first: a clear ImportError when ptestx is missing)
from .engines import DOCKER, VIRTUALENV, IsoDockerEngine, IsoVirtualenvEngine
from .environment import IsoEnvironment

__all__ = ["DOCKER", "VIRTUALENV", "IsoDockerEngine", "IsoEnvironment", "IsoVirtualenvEngine"]
