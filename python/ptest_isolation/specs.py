"""What an environment should be, checked in Python before it crosses the ABI."""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any, Optional

from .errors import InvalidSpec

_VERSION_REQUEST = re.compile(r"^\s*((>=|<=|==|!=|>|<)?\s*\d+(\.\d+){0,2}\s*)(,\s*(>=|<=|==|!=|>|<)?\s*\d+(\.\d+){0,2}\s*)*$")
_CLEANUP = ("end-of-test", "end-of-session", "after-ttl", "keep")


@dataclasses.dataclass
class VenvSpec:
    """A Python virtualenv: an interpreter, packages, variables.

    ``python`` is a path, a version (``"3.11"``) or a range (``">=3.10,<3.13"``);
    ``None`` takes the first ``python3`` on ``PATH``."""

    python: Optional[str] = None
    requirements: list[str] = dataclasses.field(default_factory=list)
    requirement_files: list[str] = dataclasses.field(default_factory=list)
    constraint_files: list[str] = dataclasses.field(default_factory=list)
    index_url: Optional[str] = None
    find_links: list[str] = dataclasses.field(default_factory=list)
    offline: bool = False
    with_pip: bool = False
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    ttl_seconds: Optional[float] = None
    cleanup: str = "end-of-session"
    use_template_cache: bool = True
    name: Optional[str] = None

    engine = "virtualenv"

    def validate(self) -> None:
        """Raises :class:`InvalidSpec` naming the field and the fix."""
        if self.python is not None and "/" not in self.python and not _VERSION_REQUEST.match(self.python):
            raise InvalidSpec(f"python: {self.python!r} is not a path or a version request like '3.11' or '>=3.10'")
        for field in ("requirements", "requirement_files", "constraint_files", "find_links"):
            value = getattr(self, field)
            if isinstance(value, str) or not all(isinstance(item, str) and item.strip() for item in value):
                raise InvalidSpec(f"{field}: must be a list of non-empty strings, got {value!r}")
        for path in self.requirement_files + self.constraint_files:
            if not os.path.isfile(path):
                raise InvalidSpec(f"requirement file {path!r} does not exist")
        if self.offline and not self.find_links and (self.requirements or self.requirement_files):
            raise InvalidSpec("offline: True needs find_links (a directory of wheels) to install from")
        if self.ttl_seconds is not None and not self.ttl_seconds > 0:
            raise InvalidSpec(f"ttl_seconds: {self.ttl_seconds} must be a positive number of seconds")
        if self.cleanup not in _CLEANUP:
            raise InvalidSpec(f"cleanup: {self.cleanup!r} must be one of {', '.join(_CLEANUP)}")

    def to_request(self) -> dict[str, Any]:
        self.validate()
        request = {
            "engine": self.engine,
            "python": self.python,
            "requirements": self.requirements,
            "requirement_files": [os.path.abspath(path) for path in self.requirement_files],
            "constraint_files": [os.path.abspath(path) for path in self.constraint_files],
            "index_url": self.index_url,
            "find_links": [os.path.abspath(path) for path in self.find_links],
            "offline": self.offline,
            "with_pip": self.with_pip,
            "environment": self.env,
            "labels": self.labels,
            "ttl_seconds": self.ttl_seconds,
            "cleanup": self.cleanup,
            "use_template_cache": self.use_template_cache,
            "name": self.name,
        }
        return {key: value for key, value in request.items() if value is not None}


@dataclasses.dataclass
class DockerSpec(VenvSpec):
    """A Docker container: an image plus the fields of :class:`VenvSpec`
    that apply inside it, resource limits and a network."""

    image: str = ""
    memory: Optional[str] = None
    cpus: Optional[str] = None
    pids: Optional[int] = None
    network: Optional[str] = None
    ports: list[int] = dataclasses.field(default_factory=list)

    engine = "docker"

    def validate(self) -> None:
        if not self.image:
            raise InvalidSpec("image: required for a Docker environment, e.g. 'python:3.12-slim'")
        if self.memory is not None and not re.match(r"^\d+(\.\d+)?([kmgt]i?b?)?$", self.memory, re.IGNORECASE):
            raise InvalidSpec(f"memory: {self.memory!r} is not a size like '512m' or '2Gi'")
        if not all(isinstance(port, int) and 1 <= port <= 65535 for port in self.ports):
            raise InvalidSpec(f"ports: {self.ports!r} must be container port numbers (1 to 65535)")
        if self.cpus is not None and not re.match(r"^(\d+(\.\d+)?|\d+m)$", self.cpus):
            raise InvalidSpec(f"cpus: {self.cpus!r} is not a CPU count like '1.5' or '1500m'")
        super().validate()

    def to_request(self) -> dict[str, Any]:
        request = super().to_request()
        request["image"] = self.image
        limits = {k: v for k, v in {"memory": self.memory, "cpus": self.cpus, "pids": self.pids}.items() if v is not None}
        if limits:
            request["resources"] = limits
        if self.network is not None:
            request["network"] = self.network
        if self.ports:
            request["ports"] = list(self.ports)
        return request
