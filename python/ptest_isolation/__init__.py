"""ptest-isolation: isolated environments (virtualenvs, Docker containers)
for Python test suites, driven by a Swift core through a C ABI.

Nothing here imports pytest; the pytest plugin lives in
:mod:`ptest_isolation.pytest_plugin`."""

from ._native import version as _library_version
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
from . import services
from .manager import Environment, Manager
from .results import Event, JobResult, PoolStatus, RunResult, Snapshot
from .streaming import OutputCallback, OutputChunk, OutputStream
from .specs import Build, Compose, DockerSpec, Healthcheck, Secret, Tmpfs, VenvSpec, Volume, WaitFor

__version__ = _library_version()

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
