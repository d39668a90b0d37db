"""ptest-isolation: isolated environments (virtualenvs, Docker containers)
for Python test suites, driven by a Swift core through a C ABI.

Nothing here imports pytest; the pytest plugin lives in
:mod:`ptest_isolation.pytest_plugin`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    BodyTooLarge,
    Cancelled,
    CapacityExceeded,
    DaemonUnavailable,
    EngineUnavailable,
    Forbidden,
    IllegalTransition,
    InstallFailed,
    InternalError,
    InterpreterNotFound,
    InvalidArgument,
    InvalidHandle,
    InvalidSpec,
    IOFailure,
    IsolationError,
    MethodNotAllowed,
    NotFound,
    QuotaExceeded,
    RateLimited,
    ServerUnavailable,
    SnapshotFailed,
    StorageFailure,
    Timeout,
    Unauthorized,
    UnknownMethod,
)

if TYPE_CHECKING:
    from . import services
    from .manager import Environment, Manager
    from .results import Event, JobResult, PoolStatus, RunResult, Snapshot
    from .specs import Build, Compose, DockerSpec, Healthcheck, Secret, Tmpfs, VenvSpec, Volume, WaitFor
    from .streaming import OutputCallback, OutputChunk, OutputStream

    __version__: str

#: Where each name is defined, imported on first use: importing the package (as pytest does
#: with the plugin in every xdist worker and the controller) does not load the library and
#: the modules over it until something asks for them (≈ 40 ms of CPU per process).
_LAZY = {
    **dict.fromkeys(["Environment", "Manager"], ".manager"),
    **dict.fromkeys(["Event", "JobResult", "PoolStatus", "RunResult", "Snapshot"], ".results"),
    **dict.fromkeys(["Build", "Compose", "DockerSpec", "Healthcheck", "Secret", "Tmpfs", "VenvSpec", "Volume", "WaitFor"],
                    ".specs"),
    **dict.fromkeys(["OutputCallback", "OutputChunk", "OutputStream"], ".streaming"),
}


def __getattr__(name: str) -> Any:
    if name == "services":
        value: Any = importlib.import_module(".services", __name__)
    elif name == "__version__":
        value = importlib.import_module("._native", __name__).version()
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "PoolStatus",
    "Unauthorized",
    "ServerUnavailable",
    "RateLimited",
    "QuotaExceeded",
    "MethodNotAllowed",
    "Forbidden",
    "BodyTooLarge",
    "Build",
    "Compose",
    "Cancelled",
    "CapacityExceeded",
    "DaemonUnavailable",
    "DockerSpec",
    "EngineUnavailable",
    "Environment",
    "Event",
    "Healthcheck",
    "IllegalTransition",
    "InstallFailed",
    "InternalError",
    "InterpreterNotFound",
    "InvalidArgument",
    "InvalidHandle",
    "InvalidSpec",
    "IOFailure",
    "IsolationError",
    "JobResult",
    "Manager",
    "NotFound",
    "OutputCallback",
    "OutputChunk",
    "OutputStream",
    "RunResult",
    "Secret",
    "Snapshot",
    "SnapshotFailed",
    "StorageFailure",
    "Timeout",
    "Tmpfs",
    "UnknownMethod",
    "VenvSpec",
    "Volume",
    "WaitFor",
    "__version__",
    "services",
]
