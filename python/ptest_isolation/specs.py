"""What an environment should be: typed carriers of the spec's fields.

The core checks every field (its ranges, its defaults, which combinations make
sense) the same way for every front; these classes only name the fields and
turn relative host paths into absolute ones."""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
from typing import Any, Literal, Optional, Union

from .errors import InvalidSpec



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
    # Keyword-only (Python 3.10+; 3.9 has none), so that DockerSpec's positional fields, which
    # follow these, keep their meaning.
    if sys.version_info >= (3, 10):
        #: Share one environment of this spec across runs (and xdist workers): a live one made
        #: earlier is handed out again, its TTL (``ttl_seconds``, default 4 hours) renewed; it is
        #: not destroyed with the test, the fixture or the run, only by its TTL, ``ptest-iso rm`` or
        #: an explicit :meth:`Environment.destroy`. See docs/environments.md, "Reuse across runs".
        reuse: bool = dataclasses.field(default=False, kw_only=True)
        #: One environment of this spec per test session: the session's processes (pytest-xdist
        #: workers) get the same one, made by whichever asks first; the session's end removes it
        #: (the pytest controller, once every worker is done), not the test or fixture that asked.
        shared: bool = dataclasses.field(default=False, kw_only=True)
    else:  # pragma: no cover
        reuse: bool = False
        shared: bool = False

    engine = "virtualenv"

    def to_request(self) -> dict[str, Any]:
        for field in ("requirements", "requirement_files", "constraint_files", "find_links"):
            if isinstance(getattr(self, field), (str, bytes)):
                raise InvalidSpec(f"{field}: must be a list of strings, not one string", details={"field": field})
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
            "reuse": self.reuse if self.reuse is not False else None,
            "shared": self.shared if self.shared is not False else None,
        }
        return {key: value for key, value in request.items() if value is not None}


@dataclasses.dataclass
class Volume:
    """A mount: a named volume the environment creates and removes (``source="data"``),
    or a host directory (``source="/abs/path"``, absolute, existing, without ``..``)."""

    source: str
    target: str
    read_only: bool = False
    type: Optional[Literal["volume", "bind"]] = None

    def to_request(self) -> dict[str, Any]:
        request: dict[str, Any] = {"source": self.source, "target": self.target, "read_only": self.read_only}
        if self.type is not None:
            request["type"] = self.type
        return request


@dataclasses.dataclass
class Tmpfs:
    """A memory-backed mount; ``size`` like ``"64m"``."""

    path: str
    size: Optional[str] = None

    def to_request(self) -> dict[str, Any]:
        return {"path": self.path, **({"size": self.size} if self.size is not None else {})}


@dataclasses.dataclass(repr=False)
class Secret:
    """A secret given as a variable (``delivery="env"``) or as the file
    ``/run/secrets/<name>`` (``delivery="file"``, mode 0400). The value is
    never stored by ptest-isolation, and ``repr`` hides it."""

    name: str
    value: str
    delivery: Literal["env", "file"] = "env"

    def __repr__(self) -> str:
        return f"Secret(name={self.name!r}, delivery={self.delivery!r}, value=<hidden>)"

    def to_request(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "as": self.delivery}


@dataclasses.dataclass
class Healthcheck:
    """A container healthcheck: ``test`` is ``["CMD", ...]``, ``["CMD-SHELL", "..."]`` or a bare argv."""

    test: list[str]
    interval_seconds: Optional[float] = None
    timeout_seconds: Optional[float] = None
    start_period_seconds: Optional[float] = None
    retries: Optional[int] = None

    def to_request(self) -> dict[str, Any]:
        return {key: value for key, value in dataclasses.asdict(self).items() if value is not None}


class WaitFor:
    """Readiness conditions for :attr:`DockerSpec.wait_for`; all must pass
    within ``ready_timeout_seconds``."""

    @staticmethod
    def log(pattern: str, times: int = 1) -> dict[str, Any]:
        """The container's output matches the regular expression ``times`` times."""
        return {"log": pattern, "times": times}

    @staticmethod
    def tcp(port: int) -> dict[str, Any]:
        """Something listens on the port inside the container (needs ``cat`` in the image)."""
        return {"tcp": port}

    @staticmethod
    def http(port: int, path: str = "/", status: int = 200) -> dict[str, Any]:
        """A GET from the host answers ``status``; ``port`` must be in ``ports``."""
        return {"http": {"port": port, "path": path, "status": status}}

    @staticmethod
    def health() -> dict[str, Any]:
        """Docker reports the container healthy (a ``healthcheck`` or the image's ``HEALTHCHECK``)."""
        return {"health": True}

    @staticmethod
    def command(argv: list[str]) -> dict[str, Any]:
        """The command, run inside the container, exits with 0."""
        return {"command": list(argv)}


@dataclasses.dataclass
class Build:
    """An image built from a context directory (``.dockerignore`` honoured) instead of
    a named image. Built images are cached while the context, Dockerfile, ``args`` and
    ``target`` are unchanged."""

    context: str
    #: Relative to ``context``.
    dockerfile: str = "Dockerfile"
    args: dict[str, str] = dataclasses.field(default_factory=dict)
    target: Optional[str] = None

    def to_request(self) -> dict[str, Any]:
        request: dict[str, Any] = {"context": os.path.abspath(self.context), "dockerfile": self.dockerfile, "args": dict(self.args)}
        if self.target is not None:
            request["target"] = self.target
        return request


@dataclasses.dataclass
class Compose:
    """A compose stack as one environment: the files (merged in order, as ``docker compose
    -f a -f b``), the services to start (empty: all, with what they depend on), the main
    service (its ports are the environment's ``ports``; default: the one labelled
    ``ptest-iso.main: "true"``, else the first with ports, else the first), variables for the
    files' ``${...}`` interpolation, and active profiles."""

    files: list[str]
    project_name: Optional[str] = None
    services: list[str] = dataclasses.field(default_factory=list)
    main: Optional[str] = None
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    profiles: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, value: "Union[str, os.PathLike[str], list[Any], dict[str, Any], Compose]") -> "Compose":
        """A file, a list of files, a dict of these fields (``environment`` as in the core's
        JSON, or ``env``), or a ``Compose``."""
        if isinstance(value, Compose):
            return value
        if isinstance(value, (str, os.PathLike)):
            return cls(files=[os.fspath(value)])
        if isinstance(value, list):
            return cls(files=[os.fspath(item) for item in value])
        if isinstance(value, dict):
            fields = dict(value)
            if "environment" in fields and "env" not in fields:
                fields["env"] = fields.pop("environment")
            if isinstance(fields.get("files"), (str, os.PathLike)):
                fields["files"] = [fields["files"]]
            known = [field.name for field in dataclasses.fields(cls)]
            for key in sorted(fields):
                if key not in known:
                    close = difflib.get_close_matches(key, known, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(known)}"
                    raise InvalidSpec(f"compose.{key}: unknown field{hint}", details={"field": f"compose.{key}"})
            return cls(**fields)
        raise InvalidSpec(f"compose: {type(value).__name__} is not a compose file, a list of them or an object", details={"field": "compose"})

    def to_request(self) -> dict[str, Any]:
        # One file given as a string is that file, as in ``Compose.of``; other strings where the
        # core takes lists are sent as they are, for the core to refuse naming the field
        # (``list("ab")`` would silently make two services).
        files = [self.files] if isinstance(self.files, (str, os.PathLike)) else self.files
        request: dict[str, Any] = {"files": [os.path.abspath(os.fspath(path)) for path in files]}
        optional = {"project_name": self.project_name, "main": self.main}
        request.update({key: value for key, value in optional.items() if value is not None})
        if self.services:
            request["services"] = self.services if isinstance(self.services, str) else list(self.services)
        if self.env:
            request["environment"] = dict(self.env)
        if self.profiles:
            request["profiles"] = self.profiles if isinstance(self.profiles, str) else list(self.profiles)
        return request


def _request(item: Any) -> Any:
    return item.to_request() if hasattr(item, "to_request") else item


@dataclasses.dataclass
class DockerSpec(VenvSpec):
    """A Docker container: an image plus the fields of :class:`VenvSpec`
    that apply inside it, resource limits and a network."""

    image: str = ""
    #: Build the image from a context instead of naming ``image`` (exactly one of them).
    build: Optional[Build] = None
    memory: Optional[str] = None
    cpus: Optional[str] = None
    pids: Optional[int] = None
    #: GPUs for the container (``docker run --gpus N``); needs a host with a GPU.
    gpus: Optional[int] = None
    network: Optional[str] = None
    ports: list[int] = dataclasses.field(default_factory=list)
    #: The container's command, in either mode; ``None`` leaves it to ``mode``.
    command: Optional[list[str]] = None
    entrypoint: Optional[list[str]] = None
    #: Where commands run and files are copied; default ``/work``.
    workdir: Optional[str] = None
    #: ``"name"``, ``"uid"`` or ``"uid:gid"``.
    user: Optional[str] = None
    #: A read-only image; the working directory becomes a volume of the environment.
    read_only_root: bool = False
    tmpfs: list[Union[str, Tmpfs]] = dataclasses.field(default_factory=list)
    cap_add: list[str] = dataclasses.field(default_factory=list)
    cap_drop: list[str] = dataclasses.field(default_factory=list)
    privileged: bool = False
    volumes: list[Volume] = dataclasses.field(default_factory=list)
    secrets: list[Secret] = dataclasses.field(default_factory=list)
    #: Conditions made with :class:`WaitFor`.
    wait_for: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    ready_timeout_seconds: Optional[float] = None
    healthcheck: Optional[Healthcheck] = None
    #: ``"service"`` runs the image's own ENTRYPOINT/CMD (as ``docker run`` does); ``"sandbox"``
    #: keeps the container idle for :meth:`Environment.run`. ``None``: a service when the spec has
    #: ``ports``, ``wait_for`` or a ``healthcheck``, else a sandbox (``env.details["mode"]`` says which).
    mode: Optional[Literal["service", "sandbox"]] = None
    #: A compose stack instead of one container (a file, a list of files, a dict or :class:`Compose`);
    #: the container fields above then come from its files.
    compose: Optional[Compose] = None
    #: Placement constraints on a swarm's nodes (``"node.role==worker"``,
    #: ``"node.labels.disk==ssd"``); swarm engine only.
    placement: list[str] = dataclasses.field(default_factory=list)

    #: The engine the spec names. Left as the class's ``"docker"`` on a spec with an ``image``,
    #: ``build`` or ``compose``, it names none, so the engine settings'
    #: ``default_container_engine`` (a swarm, say) decides.
    engine = "docker"

    def __post_init__(self) -> None:
        if self.compose is not None:
            self.compose = Compose.of(self.compose)

    def to_request(self) -> dict[str, Any]:
        request = super().to_request()
        if "engine" not in self.__dict__ and (self.image or self.build is not None or self.compose is not None):
            # What it runs makes it a container spec: the core's engine settings pick the engine.
            del request["engine"]
        if self.placement:
            request["placement"] = list(self.placement)
        if self.build is not None:
            request["build"] = _request(self.build)
        if self.image:
            request["image"] = self.image
        if self.compose is not None:
            request["compose"] = self.compose.to_request()
        limits = {"memory": self.memory, "cpus": self.cpus, "pids": self.pids, "gpus": self.gpus}
        limits = {k: v for k, v in limits.items() if v is not None}
        if limits:
            request["resources"] = limits
        if self.network is not None:
            request["network"] = self.network
        if self.ports:
            request["ports"] = list(self.ports)
        optional = {
            "mode": self.mode,
            "command": self.command,
            "entrypoint": self.entrypoint,
            "workdir": self.workdir,
            "user": self.user,
            "ready_timeout_seconds": self.ready_timeout_seconds,
            "healthcheck": _request(self.healthcheck) if self.healthcheck is not None else None,
        }
        request.update({key: value for key, value in optional.items() if value is not None})
        for flag in ("read_only_root", "privileged"):
            if getattr(self, flag):
                request[flag] = True
        for field in ("tmpfs", "cap_add", "cap_drop", "volumes", "secrets", "wait_for"):
            items = getattr(self, field)
            if items:
                request[field] = [_request(item) for item in items]
        return request


def spec_from_fields(fields: dict[str, Any]) -> "Union[VenvSpec, DockerSpec]":
    """The spec that keyword fields (or a dict) describe: a Docker one when they name an
    ``image``, a ``build``, a ``compose`` stack or ``engine="docker"``. ``packages`` is ``requirements``' short
    name. An unknown field raises :class:`InvalidSpec` naming it and the closest known one."""
    fields = dict(fields)
    # The core's JSON shape (what `ptest-iso inspect --json` prints) is accepted as well.
    if "environment" in fields and "env" not in fields:
        fields["env"] = fields.pop("environment")
    resources = fields.pop("resources", None)
    if isinstance(resources, dict):
        for key, value in resources.items():
            if key not in ("memory", "cpus", "pids", "gpus"):
                close = difflib.get_close_matches(key, ["memory", "cpus", "pids", "gpus"], n=1)
                hint = f"; did you mean {close[0]!r}?" if close else "; known fields: cpus, gpus, memory, pids"
                raise InvalidSpec(f"resources.{key}: unknown field{hint}", details={"field": f"resources.{key}"})
            fields[key] = value
    elif resources is not None:
        raise InvalidSpec("resources: must be an object", details={"field": "resources"})
    if "packages" in fields:
        fields["requirements"] = list(fields.get("requirements", [])) + list(fields.pop("packages"))
    engine = fields.pop("engine", None)
    docker = engine == "docker" or "image" in fields or "build" in fields or "compose" in fields
    kind: type[Union[VenvSpec, DockerSpec]] = DockerSpec if docker else VenvSpec
    known = [field.name for field in dataclasses.fields(kind)]
    for key in sorted(fields):
        if key not in known:
            close = difflib.get_close_matches(key, known + ["engine", "packages"], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(sorted(known))}"
            raise InvalidSpec(f"{key}: unknown field{hint}", details={"field": key})
    spec = kind(**fields)
    if engine is not None:
        spec.engine = str(engine)  # the core names what engines there are
    return spec
