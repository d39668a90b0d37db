"""Values that come back from the core."""

from __future__ import annotations

import dataclasses
import subprocess
from typing import Any, Optional


@dataclasses.dataclass(frozen=True)
class RunResult:
    """A finished command. A non-zero exit code is a result, not an error;
    :meth:`check_returncode` turns it into one."""

    argv: list[str]
    exit_code: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def check_returncode(self) -> "RunResult":
        if not self.ok:
            raise subprocess.CalledProcessError(self.exit_code, self.argv, self.stdout, self.stderr)
        return self

    @classmethod
    def from_abi(cls, argv: list[str], body: dict[str, Any]) -> "RunResult":
        return cls(
            argv=list(argv),
            exit_code=body["exit_code"],
            stdout=body["stdout"],
            stderr=body["stderr"],
            duration=body["duration_seconds"],
            timed_out=body["timed_out"],
        )


@dataclasses.dataclass(frozen=True)
class Snapshot:
    id: str
    name: str
    engine: str
    source_environment: str
    created_at: float
    location: str

    @classmethod
    def from_abi(cls, body: dict[str, Any]) -> "Snapshot":
        return cls(
            id=body["id"],
            name=body["name"],
            engine=body["engine"],
            source_environment=body["source_environment"],
            created_at=body["created_at"],
            location=body["location"],
        )


@dataclasses.dataclass(frozen=True)
class PoolStatus:
    """A warm pool as :meth:`Manager.pools` reports it."""

    name: str
    #: The spec the pool holds (as the protocol writes it).
    spec: dict[str, Any]
    engine: str
    min: int
    max: int
    #: How many refills keep ready now: ``min``, grown toward ``max`` by misses.
    target: int
    #: Made, ready and waiting for an acquirer.
    ready: int
    #: Being made by a refill now.
    creating: int
    hits: int
    misses: int
    failures: int
    #: The last refill failure, while refills back off because of it.
    last_error: Optional[str]
    #: The median and 99th percentile of the last hits' acquire time, in milliseconds.
    acquire_median_ms: Optional[float]
    acquire_p99_ms: Optional[float]

    @classmethod
    def from_abi(cls, body: dict[str, Any]) -> "PoolStatus":
        return cls(
            name=body["name"], spec=body["spec"], engine=body["engine"], min=body["min"], max=body["max"], target=body["target"],
            ready=body["ready"], creating=body["creating"], hits=body["hits"], misses=body["misses"],
            failures=body["failures"], last_error=body.get("last_error"), acquire_median_ms=body.get("acquire_median_ms"),
            acquire_p99_ms=body.get("acquire_p99_ms"),
        )


@dataclasses.dataclass(frozen=True)
class Event:
    """Something that happened, in order (``sequence`` grows by one)."""

    sequence: int
    kind: str
    environment: Optional[str]
    snapshot: Optional[str]
    time: float
    detail: Optional[str]

    @classmethod
    def from_abi(cls, body: dict[str, Any]) -> "Event":
        return cls(
            sequence=body["sequence"],
            kind=body["kind"],
            environment=body.get("environment"),
            snapshot=body.get("snapshot"),
            time=body["time"],
            detail=body.get("detail"),
        )


@dataclasses.dataclass(frozen=True)
class JobResult:
    """A finished job: the last attempt's exit code and output. A non-zero exit
    code after every retry is a result, not an error; :meth:`check_returncode`
    turns it into one."""

    id: str
    argv: list[str]
    exit_code: int
    stdout: str
    stderr: str
    duration: float
    attempts: int
    image: str
    #: ``"hit"`` or ``"miss"`` for a job built from a context, else ``None``.
    image_cache: Optional[str]
    #: The finished container, kept for inspection when ``ttl_seconds`` > 0.
    container: Optional[str]
    #: When the kept container may be removed (Unix seconds).
    expires_at: Optional[float]

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def check_returncode(self) -> "JobResult":
        if not self.ok:
            raise subprocess.CalledProcessError(self.exit_code, self.argv, self.stdout, self.stderr)
        return self

    @classmethod
    def from_abi(cls, argv: list[str], body: dict[str, Any]) -> "JobResult":
        return cls(
            id=body["id"],
            argv=list(argv),
            exit_code=body["exit_code"],
            stdout=body["stdout"],
            stderr=body["stderr"],
            duration=body["duration_seconds"],
            attempts=body["attempts"],
            image=body["image"],
            image_cache=body.get("image_cache"),
            container=body.get("container"),
            expires_at=body.get("expires_at"),
        )
