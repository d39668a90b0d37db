"""The one place that imports ptestx, with a clear error when it is missing."""

from __future__ import annotations

try:
    from ptest.core import get_logger
    from ptest.isolation.base import IsolatedEnvironment, IsolationEngine, ProcessResult
    from ptest.isolation.enums import EnvironmentStatus, IsolationEvent
except ImportError as error:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "ptest_plugins.isolation adapts ptest-isolation's engines to the ptest framework, "
        "which is not installed: `python3 -m pip install --ignore-requires-python ptestx` "
        f"(importing it failed: {error})"
    ) from error

logger = get_logger("isolation.ptest_isolation")

__all__ = [
    "EnvironmentStatus",
    "IsolatedEnvironment",
    "IsolationEngine",
    "IsolationEvent",
    "ProcessResult",
    "logger",
]
