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
