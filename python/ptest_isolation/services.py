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

The default images are the ones ``scripts/test-images.sh`` builds from
Debian's packages; any image configured by the same environment variables as
the official ``postgres`` and ``redis`` images works too."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import urllib.parse
from typing import Any, Iterator, Optional, Union

from .manager import Environment, Manager
from .specs import DockerSpec, Volume, WaitFor

POSTGRES_IMAGE = "ptest-iso-test/postgres:bookworm"
REDIS_IMAGE = "ptest-iso-test/redis:bookworm"
BUSYBOX_IMAGE = "ptest-iso-test/busybox:latest"

#: Where :meth:`HTTPService.static` mounts the served directory.
DOCUMENT_ROOT = "/srv/www"

HOST = "127.0.0.1"


def _published(env: Environment, port: int) -> int:
    try:
        return env.ports[port]
    except KeyError:
        raise KeyError(f"environment {env.id} publishes no port {port} (ports: {sorted(env.ports)})") from None


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

    def spec(self, **fields: Any) -> DockerSpec:
        """The Docker spec; ``fields`` are further :class:`DockerSpec` fields (``labels``, ``memory``, ...)."""
        probe = ["pg_isready", "-q", "-h", HOST, "-p", str(self.port_in_container), "-U", self.user, "-d", self.dbname]
        return DockerSpec(
            image=self.image,
            mode="service",
            ports=[self.port_in_container],
            env={"POSTGRES_USER": self.user, "POSTGRES_PASSWORD": self.password, "POSTGRES_DB": self.dbname, **self.env},
            wait_for=[WaitFor.command(probe)],
            ready_timeout_seconds=self.ready_timeout_seconds,
            **fields,
        )

    def host(self, env: Environment) -> str:
        return HOST

    def port(self, env: Environment) -> int:
        """The host port that reaches the server."""
        return _published(env, self.port_in_container)

    def dsn(self, env: Environment) -> str:
        """``postgresql://user:password@127.0.0.1:PORT/dbname`` (libpq, psycopg, SQLAlchemy with a driver prefix)."""
        user = urllib.parse.quote(self.user, safe="")
        password = urllib.parse.quote(self.password, safe="")
        return f"postgresql://{user}:{password}@{HOST}:{self.port(env)}/{urllib.parse.quote(self.dbname, safe='')}"

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

    def spec(self, **fields: Any) -> DockerSpec:
        """The Docker spec; ``fields`` are further :class:`DockerSpec` fields."""
        variables = dict(self.env)
        if self.password is not None:
            variables["REDIS_PASSWORD"] = self.password
        # A command wait needs exit 0; redis-cli exits 0 for an error reply too.
        # The password comes from the container's own variable, never an argument.
        probe = ["sh", "-c", '[ "$(REDISCLI_AUTH="${REDIS_PASSWORD:-}" redis-cli -p %d ping)" = PONG ]' % self.port_in_container]
        return DockerSpec(
            image=self.image,
            mode="service",
            ports=[self.port_in_container],
            env=variables,
            wait_for=[WaitFor.command(probe)],
            ready_timeout_seconds=self.ready_timeout_seconds,
            **fields,
        )

    def host(self, env: Environment) -> str:
        return HOST

    def port(self, env: Environment) -> int:
        return _published(env, self.port_in_container)

    def url(self, env: Environment, db: int = 0) -> str:
        """``redis://[:password@]127.0.0.1:PORT/db`` (``redis.Redis.from_url``)."""
        auth = f":{urllib.parse.quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{auth}{HOST}:{self.port(env)}/{db}"


@dataclasses.dataclass
class HTTPService:
    """Any image that serves HTTP on ``port``: ready once a GET of ``path``
    from the host answers ``status``. ``command`` replaces the image's CMD;
    ``directory`` is a host directory mounted read-only at ``/srv/www``."""

    image: str = BUSYBOX_IMAGE
    port: int = 8080
    path: str = "/"
    command: Optional[list[str]] = None
    status: int = 200
    directory: Optional[str] = None
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    ready_timeout_seconds: float = 30.0

    @classmethod
    def static(cls, directory: Union[str, "os.PathLike[str]"], *, port: int = 8080, path: str = "/",
               image: str = BUSYBOX_IMAGE) -> "HTTPService":
        """Serves a host directory with busybox's ``httpd`` (the default image has it)."""
        command = ["httpd", "-f", "-p", str(port), "-h", DOCUMENT_ROOT]
        return cls(image=image, port=port, path=path, command=command, directory=os.path.abspath(os.fspath(directory)))

    def spec(self, **fields: Any) -> DockerSpec:
        volumes = [Volume(source=self.directory, target=DOCUMENT_ROOT, read_only=True, type="bind")] if self.directory else []
        return DockerSpec(
            image=self.image,
            mode="service",
            ports=[self.port],
            command=list(self.command) if self.command is not None else None,
            env=dict(self.env),
            volumes=volumes,
            wait_for=[WaitFor.http(self.port, self.path, self.status)],
            ready_timeout_seconds=self.ready_timeout_seconds,
            **fields,
        )

    def host(self, env: Environment) -> str:
        return HOST

    def host_port(self, env: Environment) -> int:
        """The host port that reaches ``port``."""
        return _published(env, self.port)

    def url(self, env: Environment, path: str = "/") -> str:
        """``http://127.0.0.1:PORT/`` (and ``path`` below it)."""
        return f"http://{HOST}:{self.host_port(env)}/{path.lstrip('/')}"


Service = Union[Postgres, Redis, HTTPService]


class Running:
    """A started service: its :attr:`environment` and connection details."""

    def __init__(self, service: Service, environment: Environment) -> None:
        self.service = service
        self.environment = environment
        self.host = HOST
        self.port: int = service.host_port(environment) if isinstance(service, HTTPService) else service.port(environment)
        self.url: str = service.url(environment)

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
    "http",
    "postgres",
    "redis",
    "start",
    "static_http",
]
