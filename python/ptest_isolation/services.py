"""Ready-made services: Postgres, Redis and an HTTP server, each a Docker spec
with a readiness check that proves the service answers, and the connection
details a test needs (host, published port, DSN or URL).

::

    from ptest_isolation import services

    with services.postgres(manager) as pg:
        psycopg.connect(pg.dsn)

or, keeping the spec and the environment apart::

    service = services.Postgres()
    with manager.environment(service.spec()) as env:
        dsn = service.dsn(env)

The specs, their readiness checks and the URLs come from the core's catalogue
(``Sources/IsolationCore/Services``) through the C ABI's ``service_spec`` and
``service_connection``, so ``ptest-iso create --service`` makes the very same
services; these classes carry the options and hand out context managers.

The default images are the ones ``scripts/test-images.sh`` builds from
Debian's packages; any image configured by the same environment variables as
the official ``postgres`` and ``redis`` images works too."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from typing import Any, Iterator, Optional, Union

from . import _native
from .manager import Environment, Manager
from .specs import DockerSpec, Volume, spec_from_fields

POSTGRES_IMAGE = "ptest-iso-test/postgres:bookworm"
REDIS_IMAGE = "ptest-iso-test/redis:bookworm"
BUSYBOX_IMAGE = "ptest-iso-test/busybox:latest"

#: Where :attr:`HTTPService.directory` is mounted (the core's ``HTTPServiceOptions.documentRoot``).
DOCUMENT_ROOT = "/srv/www"

HOST = "127.0.0.1"


def catalogue() -> list[dict[str, Any]]:
    """The ready-made services as the core lists them: ``name``, ``container_port``,
    ``options`` (``name``, ``kind``, ``help``) and ``defaults`` (what ``ptest-iso services --json`` prints)."""
    return list(_native.call(None, "services", {})["services"])


#: The DockerSpec fields a service's spec sets itself (from its options).
_SERVICE_FIELDS = frozenset({"image", "mode", "ports", "env", "wait_for", "ready_timeout_seconds", "command", "volumes"})


def _core_spec(service: str, options: dict[str, Any], fields: dict[str, Any]) -> DockerSpec:
    """The core's spec for the service, with further :class:`DockerSpec` ``fields`` over it."""
    clash = sorted(_SERVICE_FIELDS & fields.keys())
    if clash:
        # Replacing them would drop what the service needs (its variables, its readiness check).
        raise TypeError(f"spec() got {', '.join(clash)}: the service sets them; give them as the service's options")
    answer = _native.call(None, "service_spec", {"service": service, "options": options})
    spec = spec_from_fields(answer["spec"])
    assert isinstance(spec, DockerSpec), spec
    spec.volumes = [Volume(**volume) if isinstance(volume, dict) else volume for volume in spec.volumes]
    return dataclasses.replace(spec, **fields) if fields else spec


def _connection(service: str, options: dict[str, Any], env: Environment, container_port: int,
                path: Optional[str] = None) -> dict[str, Any]:
    """The core's connection details (``host``, ``port``, ``url``) of ``env``'s published ``container_port``."""
    try:
        host_port = env.ports[container_port]
    except KeyError:
        raise KeyError(f"environment {env.id} publishes no port {container_port} (ports: {sorted(env.ports)})") from None
    request: dict[str, Any] = {"service": service, "options": options, "host_port": host_port}
    if path is not None:
        request["path"] = path
    return dict(_native.call(None, "service_connection", request))


@dataclasses.dataclass
class Postgres:
    """A PostgreSQL server on port 5432, ready once ``pg_isready`` (run inside
    the container) reports that it accepts connections; the server logs
    "ready to accept connections" twice while an official image initialises,
    so a log wait would return too early."""

    image: str = POSTGRES_IMAGE
    user: str = "test"
    password: str = "test"
    dbname: str = "test"
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    ready_timeout_seconds: float = 60.0

    port_in_container = 5432
    service_name = "postgres"

    def options(self) -> dict[str, Any]:
        """The options as the core's ``service_spec`` takes them."""
        return {"image": self.image, "user": self.user, "password": self.password, "dbname": self.dbname,
                "environment": dict(self.env), "ready_timeout_seconds": self.ready_timeout_seconds}

    def spec(self, **fields: Any) -> DockerSpec:
        """The Docker spec; ``fields`` are further :class:`DockerSpec` fields (``labels``, ``memory``, ...)."""
        return _core_spec(self.service_name, self.options(), fields)

    def host(self, env: Environment) -> str:
        return str(_connection(self.service_name, self.options(), env, self.port_in_container)["host"])

    def port(self, env: Environment) -> int:
        """The host port that reaches the server."""
        return int(_connection(self.service_name, self.options(), env, self.port_in_container)["port"])

    def dsn(self, env: Environment) -> str:
        """``postgresql://user:password@127.0.0.1:PORT/dbname`` (libpq, psycopg, SQLAlchemy with a driver prefix)."""
        return str(_connection(self.service_name, self.options(), env, self.port_in_container)["url"])

    url = dsn


@dataclasses.dataclass
class Redis:
    """A Redis server on port 6379, ready once ``redis-cli ping`` inside the
    container answers ``PONG``; ``password`` (``REDIS_PASSWORD``) is then required."""

    image: str = REDIS_IMAGE
    password: Optional[str] = None
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    ready_timeout_seconds: float = 30.0

    port_in_container = 6379
    service_name = "redis"

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"image": self.image, "environment": dict(self.env),
                                   "ready_timeout_seconds": self.ready_timeout_seconds}
        if self.password is not None:
            options["password"] = self.password
        return options

    def spec(self, **fields: Any) -> DockerSpec:
        """The Docker spec; ``fields`` are further :class:`DockerSpec` fields."""
        return _core_spec(self.service_name, self.options(), fields)

    def host(self, env: Environment) -> str:
        return str(_connection(self.service_name, self.options(), env, self.port_in_container)["host"])

    def port(self, env: Environment) -> int:
        return int(_connection(self.service_name, self.options(), env, self.port_in_container)["port"])

    def url(self, env: Environment, db: int = 0) -> str:
        """``redis://[:password@]127.0.0.1:PORT/db`` (``redis.Redis.from_url``)."""
        return str(_connection(self.service_name, self.options(), env, self.port_in_container, path=f"/{int(db)}")["url"])


@dataclasses.dataclass
class HTTPService:
    """Any image that serves HTTP on ``port``: ready once a GET of ``path``
    from the host answers ``status``. ``command`` replaces the image's CMD;
    ``directory`` is a host directory mounted read-only at ``/srv/www``, served
    by busybox's ``httpd`` unless a ``command`` is given."""

    image: str = BUSYBOX_IMAGE
    port: int = 8080
    path: str = "/"
    command: Optional[list[str]] = None
    status: int = 200
    directory: Optional[str] = None
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    ready_timeout_seconds: float = 30.0

    service_name = "http"

    @classmethod
    def static(cls, directory: Union[str, "os.PathLike[str]"], *, port: int = 8080, path: str = "/",
               image: str = BUSYBOX_IMAGE) -> "HTTPService":
        """Serves a host directory with busybox's ``httpd`` (the default image has it)."""
        return cls(image=image, port=port, path=path, directory=os.fspath(directory))

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"image": self.image, "port": self.port, "path": self.path, "status": self.status,
                                   "environment": dict(self.env), "ready_timeout_seconds": self.ready_timeout_seconds}
        if self.command is not None:
            options["command"] = list(self.command)
        if self.directory is not None:
            options["directory"] = os.path.abspath(os.fspath(self.directory))
        return options

    def spec(self, **fields: Any) -> DockerSpec:
        return _core_spec(self.service_name, self.options(), fields)

    def host(self, env: Environment) -> str:
        return str(_connection(self.service_name, self.options(), env, self.port)["host"])

    def host_port(self, env: Environment) -> int:
        """The host port that reaches ``port``."""
        return int(_connection(self.service_name, self.options(), env, self.port)["port"])

    def url(self, env: Environment, path: str = "/") -> str:
        """``http://127.0.0.1:PORT/`` (and ``path`` below it)."""
        return str(_connection(self.service_name, self.options(), env, self.port, path="/" + path.lstrip("/"))["url"])


Service = Union[Postgres, Redis, HTTPService]


class Running:
    """A started service: its :attr:`environment` and connection details."""

    def __init__(self, service: Service, environment: Environment) -> None:
        self.service = service
        self.environment = environment
        container_port = service.port if isinstance(service, HTTPService) else service.port_in_container
        details = _connection(service.service_name, service.options(), environment, container_port)
        self.host: str = details["host"]
        self.port: int = details["port"]
        self.url: str = details["url"]

    @property
    def dsn(self) -> str:
        """The URL; the name libpq users know."""
        return self.url

    def logs(self, tail: Optional[int] = 20) -> str:
        """The service's last output lines."""
        return self.environment.logs(tail=tail)

    def __repr__(self) -> str:
        return f"<Running {type(self.service).__name__} {self.url} env={self.environment.id}>"


@contextlib.contextmanager
def start(manager: Manager, service: Service, **fields: Any) -> Iterator[Running]:
    """Creates the service, waits until it answers, yields it, and destroys it after the block."""
    with manager.environment(service.spec(**fields)) as env:
        yield Running(service, env)


def postgres(manager: Manager, **fields: Any) -> "contextlib._GeneratorContextManager[Running]":
    """``with services.postgres(manager, dbname="app") as pg: psycopg.connect(pg.dsn)``."""
    return start(manager, Postgres(**fields))


def redis(manager: Manager, **fields: Any) -> "contextlib._GeneratorContextManager[Running]":
    """``with services.redis(manager) as r: redis.Redis.from_url(r.url)``."""
    return start(manager, Redis(**fields))


def http(manager: Manager, **fields: Any) -> "contextlib._GeneratorContextManager[Running]":
    """``with services.http(manager, image="my-api", port=8000, path="/health") as api: api.url``."""
    return start(manager, HTTPService(**fields))


def static_http(manager: Manager, directory: Union[str, "os.PathLike[str]"], **fields: Any) -> "contextlib._GeneratorContextManager[Running]":
    """Serves a host directory: ``with services.static_http(manager, tmp_path) as web: web.url``."""
    return start(manager, HTTPService.static(directory, **fields))


__all__ = [
    "BUSYBOX_IMAGE",
    "DOCUMENT_ROOT",
    "HTTPService",
    "POSTGRES_IMAGE",
    "Postgres",
    "REDIS_IMAGE",
    "Redis",
    "Running",
    "Service",
    "catalogue",
    "http",
    "postgres",
    "redis",
    "start",
    "static_http",
]
