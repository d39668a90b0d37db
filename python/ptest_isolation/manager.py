"""The manager and its environments: a thin layer over the C ABI."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import pathlib
import shutil
import tarfile
import tempfile
import threading
import uuid
from typing import Any, Callable, Collection, Iterator, Optional, Sequence, Union

from . import _native, streaming
from ._transport import LocalTransport, Transport
from .errors import IllegalTransition, InvalidArgument, InvalidSpec, IsolationError
from .results import Event, JobResult, PoolStatus, RunResult, Snapshot
from .specs import Build, DockerSpec, Secret, Tmpfs, VenvSpec, Volume, _request, spec_from_fields
from .streaming import OutputCallback, OutputStream

Spec = Union[VenvSpec, DockerSpec, dict[str, Any]]

#: The label a remote manager puts on what it creates: a server holds the environments of many
#: clients in one session of its own, so a client's session is this label there.
REMOTE_SESSION_LABEL = "ptest-iso-client.session"


class Manager:
    """A handle on the isolation manager: creates, finds and destroys
    environments of one session, in the state directory ``home``
    (default: ``$PTEST_ISO_HOME``, else the XDG state directory).

    As a context manager it closes itself and, with ``cleanup=True``,
    destroys the environments it created.

    ``reaper`` is the ``ptest-iso`` binary whose session reaper removes what
    the session leaves behind once every process using it has gone, even
    after ``kill -9`` (default: ``$PTEST_ISO_REAPER``, else the one shipped
    beside the library; ``""`` for none). ``reaper_grace_seconds`` is how
    long it waits after the last one.

    Up to ``docker_standby`` Docker containers per spec are kept started
    (and, for a service, ready) ahead of need once a spec has been used, so
    the next environment of that spec skips the container's start and its
    readiness wait (not for specs with a shared network, volumes, tmpfs,
    secret files or an install at creation). ``None`` takes the core's
    default, 0 (off); the pytest plugin's manager asks for 2. ``close()``
    removes them.

    Once a snapshot has been restored, up to ``restore_ahead`` copies of it
    (default 1; 0 turns it off) are kept restored ahead of need, so the next
    :meth:`restore` hands one over instead of copying (``pools()`` lists them
    as ``restore:<snapshot id>``). Deleting the snapshot, and ``close()``,
    remove them.

    ``engines`` names an engine settings file (JSON or YAML: a pool of Docker
    hosts, a swarm, and ``default_container_engine``; see
    ``docs/configuration.md``); ``None`` reads ``$PTEST_ISO_ENGINES``, else
    ``engines.json`` in the home. The session's reaper sweeps the same engines.

    ``url`` (default: ``$PTEST_ISO_URL``, when no ``home`` is given) makes the manager a client
    of a ``ptest-iso serve`` server instead of the library in this process, as the owner of
    ``token`` (default: ``$PTEST_ISO_TOKEN``); ``ca`` (default: ``$PTEST_ISO_CA``) is the CA
    bundle of an ``https://`` server's certificate. The API is the same and errors are the
    same classes; what differs (docs/remote.md): the home, engines, caches, standbys and the
    reaper are the server's (those arguments are refused), host paths are not the server's
    (``copy_in``/``copy_out`` send the files), and the session is a label on what this client
    creates, ``destroy_session`` removing what carries it.

    Every setting is range-checked by the core; a bad one raises
    :class:`InvalidArgument` naming it (``err.field``)."""

    def __init__(
        self,
        home: Optional[str] = None,
        session: Optional[str] = None,
        *,
        max_live_environments: Optional[int] = None,
        default_ttl_seconds: Optional[float] = None,
        template_cache_bytes: Optional[int] = None,
        image_cache_bytes: Optional[int] = None,
        cleanup: bool = True,
        reaper: Optional[str] = None,
        reaper_grace_seconds: Optional[float] = None,
        docker_standby: Optional[int] = None,
        restore_ahead: Optional[int] = None,
        engines: "Optional[Union[str, os.PathLike[str]]]" = None,
        url: Optional[str] = None,
        token: Optional[str] = None,
        ca: "Optional[Union[str, os.PathLike[str]]]" = None,
    ) -> None:
        self._cleanup = cleanup
        #: Ids of what this manager made and has not destroyed itself, in order (a dict: an
        #: environment's own destroy() takes its id out at once).
        self._created: dict[str, None] = {}
        self._lock = threading.Lock()
        self._event_thunk: Any = None
        self._default_ttl = default_ttl_seconds
        if url is None and home is None:
            url = os.environ.get("PTEST_ISO_URL") or None
        if url is not None:
            local_only = {
                "home": home, "max_live_environments": max_live_environments, "template_cache_bytes": template_cache_bytes,
                "image_cache_bytes": image_cache_bytes, "reaper": reaper, "reaper_grace_seconds": reaper_grace_seconds,
                "docker_standby": docker_standby, "restore_ahead": restore_ahead, "engines": engines,
            }
            given = [name for name, value in local_only.items() if value is not None]
            if given:
                raise TypeError(f"{', '.join(given)}: the server's own settings (ptest-iso serve), not a client's; leave them out with url=")
            # Imported here: its ssl and http.client cost every local process ≈ 25 ms at import.
            from ._remote import RemoteTransport

            self._transport: Transport = RemoteTransport(
                url, token if token is not None else os.environ.get("PTEST_ISO_TOKEN", ""),
                ca=ca if ca is not None else (os.environ.get("PTEST_ISO_CA") or None),
            )
            answer = self.call("version")
            if answer.get("protocol") != _native.PROTOCOL_VERSION:
                self._transport.close()
                raise InvalidArgument(
                    f"url: the server at {url} speaks protocol {answer.get('protocol')}, this package "
                    f"{_native.PROTOCOL_VERSION}; use the same ptest-isolation version on both sides",
                    details={"field": "url"},
                )
            self.session: str = session or f"remote-{uuid.uuid4().hex[:12]}"
            self.home: str = url
            return
        if token is not None or ca is not None:
            raise TypeError("token, ca: for a server's url=; a local manager takes neither")
        if engines is not None and not isinstance(engines, (str, os.PathLike)):
            raise TypeError(f"engines: must be the path of an engine settings file, not {type(engines).__name__}")
        config = {
            "home": os.fspath(home) if home is not None else None,
            "session": session,
            "max_live_environments": max_live_environments,
            "default_ttl_seconds": default_ttl_seconds,
            "template_cache_bytes": template_cache_bytes,
            "image_cache_bytes": image_cache_bytes,
            "reaper_executable": os.fspath(reaper) if reaper is not None else None,
            "reaper_grace_seconds": reaper_grace_seconds,
            "docker_standby_depth": docker_standby,
            "restore_ahead_depth": restore_ahead,
            "engines_file": os.path.abspath(os.fspath(engines)) if engines is not None else None,
        }
        self._transport = LocalTransport({k: v for k, v in config.items() if v is not None})
        info = self.call("session")
        self.session = info["session"]
        self.home = info["home"]

    # -- plumbing

    @property
    def remote(self) -> bool:
        """Whether this manager is a client of a ``ptest-iso serve`` server (``url=``)."""
        return self._transport.remote

    def call(self, method: str, **request: Any) -> Any:
        """One protocol round trip: ``method`` with ``request`` as JSON."""
        return self._transport.call(method, request)

    def close(self) -> None:
        """Finishes background removals (``destroy(wait=False)``), removes the
        standby containers, then closes (a remote manager closes its connections)."""
        self._transport.close()

    def wait_for_background(self) -> None:
        """Waits until removals started with ``destroy(wait=False)``, standby
        containers being started and warm-pool refills (copies restored ahead
        too) are done (a server finishes them itself)."""
        if not self.remote:
            self.call("wait_for_background")

    def hold_session(self) -> None:
        """Counts this process as one of the session's until the manager is closed, though it
        has made nothing: the session's reaper does not end the session meanwhile. For the
        process that ends the session itself — the pytest-xdist controller, which removes what
        its workers shared after the last of them is done. (A server's environments have no
        session reaper: nothing to hold.)"""
        if not self.remote:
            self.call("hold_session")

    def stop_standbys(self, after: int = 0) -> None:
        """Starts no standby container beyond what the next ``after`` environments can take:
        the caller knows how many will follow (the pytest plugin says so as each test begins,
        and 0 as a process's last test begins), so a standby started beyond them would only be
        removed again. Each environment created counts one off; a later call replaces the
        count; the ready standbys are still taken. No more pooled private networks are kept
        idle than those environments need beyond the standbys already on networks of their
        own: the surplus is removed in the background at once, while the last tests run. (A
        server keeps its own.)"""
        if not self.remote:
            self.call("stop_standbys", after=after)

    def __enter__(self) -> "Manager":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            if self._cleanup:
                self.destroy_created()
        finally:
            self.close()

    def on_event(self, callback: Optional[Callable[[Event], None]]) -> None:
        """Calls ``callback`` (on a library thread) for every event, in order; ``None`` stops."""
        if not isinstance(self._transport, LocalTransport):
            raise InvalidArgument("on_event: a server does not send its events; watch them where it runs (ptest-iso events)")
        wrapped = (lambda body: callback(Event.from_abi(body))) if callback else None
        self._event_thunk = self._transport.set_event_callback(wrapped)

    # -- environments

    def create(self, spec: Optional[Spec] = None, *, timeout: Optional[float] = None, test_id: Optional[str] = None,
               reuse: Optional[bool] = None, shared: Optional[bool] = None, **fields: Any) -> "Environment":
        """Creates an environment and waits until it is ready.

        ``spec`` is a :class:`VenvSpec`, a :class:`DockerSpec`, or a dict of
        their fields; keyword arguments are shortcuts for a VenvSpec
        (``create(requirements=["attrs"])``). ``test_id`` names the test it is
        for (the pytest plugin passes the node id), kept as its label
        ``ptest-iso.test``.

        ``reuse=True`` (or the spec's ``reuse``) hands out the live environment of
        the same spec that an earlier run or another process made, renewing its
        TTL, and makes one only when there is none (:attr:`Environment.reused`).
        Such an environment is not this manager's: :meth:`destroy_created`, the
        ``with`` blocks and the fixtures leave it; :meth:`Environment.destroy`
        removes it for everyone.

        ``shared=True`` (or the spec's ``shared``) hands out the environment of the same
        spec that another process of this session made (pytest-xdist workers share a
        session), and makes one only when there is none (:attr:`Environment.shared`). It
        belongs to the session: :meth:`destroy_created` and the ``with`` blocks leave it,
        :meth:`destroy_session` (the pytest controller's, at the end of the run) removes it."""
        request = _spec_request(spec, fields)
        if self.remote:
            request["labels"] = {**request.get("labels", {}), REMOTE_SESSION_LABEL: self.session}
            if self._default_ttl is not None:
                request.setdefault("ttl_seconds", self._default_ttl)
        if reuse is not None:
            request["reuse"] = reuse
        if shared is not None:
            request["shared"] = shared
        extra: dict[str, Any] = {"timeout_seconds": timeout} if timeout is not None else {}
        if test_id:
            extra["test_id"] = test_id
        environment = Environment(self, self.call("create", spec=request, **extra))
        if not (environment.reused or environment.shared):
            with self._lock:
                self._created[environment.id] = None
        return environment

    @contextlib.contextmanager
    def environment(self, spec: Optional[Spec] = None, **fields: Any) -> Iterator["Environment"]:
        """An environment for the ``with`` block, destroyed afterwards (unless it is
        reused across runs: it then lives on until its TTL; or shared in the session: the
        session's end removes it)."""
        environment = self.create(spec, **fields)
        try:
            yield environment
        finally:
            if not (environment.reused or environment.shared):
                environment.destroy(missing_ok=True)

    def get(self, environment_id: str) -> "Environment":
        return Environment(self, self.call("get", id=environment_id))

    def list(self, *, session: Optional[str] = None, engine: Optional[str] = None, labels: Optional[dict[str, str]] = None,
             live_only: bool = True) -> list["Environment"]:
        request: dict[str, Any] = {"live_only": live_only}
        if session is not None and self.remote:
            labels = {**(labels or {}), REMOTE_SESSION_LABEL: session}
        elif session is not None:
            request["session"] = session
        if engine is not None:
            request["engine"] = engine
        if labels:
            request["labels"] = labels
        return [Environment(self, body) for body in self.call("list", **request)["environments"]]

    def choose_engine(self, spec: Optional[Spec] = None, **fields: Any) -> tuple[str, str]:
        """The engine a spec would get, and why."""
        body = self.call("choose_engine", spec=_spec_request(spec, fields))
        return body["engine"], body["reason"]

    def destroy_created(self, *, keep: Collection[str] = ()) -> builtins.list[str]:
        """Destroys the live environments this manager created (not other workers',
        nor environments reused across runs or shared in the session), except those whose ids are in ``keep``."""
        with self._lock:
            created, self._created = list(self._created), {}
        destroyed = []
        for environment_id in created:
            if environment_id in keep:
                continue
            try:
                if self.call("get", id=environment_id)["status"] not in ("destroyed", "destroying"):
                    self.call("destroy", id=environment_id)
                    destroyed.append(environment_id)
            except IsolationError:
                pass
        return destroyed

    def destroy_session(self, session: Optional[str] = None) -> builtins.list[str]:
        """Destroys every live environment of a session (default: this one)."""
        if self.remote:
            destroyed = []
            for environment in self.list(session=session or self.session):
                if not environment.reused:  # reused across runs: its TTL ends it, as locally
                    environment.destroy(missing_ok=True)
                    destroyed.append(environment.id)
            return destroyed
        request = {"session": session} if session else {}
        return list(self.call("destroy_session", **request)["destroyed"])

    # -- warm pools

    def configure_pool(self, name: str, spec: Optional[Spec] = None, *, min: int, max: int, **fields: Any) -> None:
        """Keeps ``min`` environments of ``spec`` made and ready ahead of need (a venv cloned, a
        container started and ready), refilled in the background; misses grow the pool toward
        ``max``. :meth:`acquire` hands one over, and so does :meth:`create` of the same spec (its
        name, labels and TTL may differ). A pool of the same name is resized; another spec under
        that name is an error. :meth:`close` drains every pool. Over a server, the pool is the
        owner's and fills only the room its ``max_live`` leaves."""
        self.call("configure_pool", name=name, spec=_spec_request(spec, fields), min=min, max=max)

    def acquire(self, pool: str, *, test_id: Optional[str] = None, ttl: Optional[float] = None,
                timeout: Optional[float] = None) -> "Environment":
        """A ready environment of ``pool`` (:attr:`Environment.pool_hit` is True), or, when none
        is waiting, one made on demand (False). Destroy it as any other; the pool refills."""
        request: dict[str, Any] = {"pool": pool}
        if test_id:
            request["test_id"] = test_id
        if ttl is not None:
            request["ttl_seconds"] = ttl
        if timeout is not None:
            request["timeout_seconds"] = timeout
        body = self.call("acquire", **request)
        environment = Environment(self, body["environment"])
        environment.pool_hit = bool(body["hit"])
        with self._lock:
            self._created[environment.id] = None
        return environment

    def pools(self) -> builtins.list[PoolStatus]:
        """This manager's warm pools (a server's: the owner's), by name."""
        return [PoolStatus.from_abi(body) for body in self.call("pools")["pools"]]

    def drain_pool(self, name: str) -> builtins.list[str]:
        """Stops refilling ``name`` and destroys its waiting environments (not those handed out);
        returns their ids."""
        return [str(i) for i in self.call("drain_pool", name=name)["destroyed"]]

    # -- snapshots

    def snapshots(self) -> builtins.list[Snapshot]:
        return [Snapshot.from_abi(body) for body in self.call("snapshots")["snapshots"]]

    def restore(self, snapshot: Union[str, Snapshot], *, timeout: Optional[float] = None,
                test_id: Optional[str] = None) -> "Environment":
        """A new environment from a snapshot (same spec, files and packages); ``test_id`` as for :meth:`create`."""
        name = snapshot.name if isinstance(snapshot, Snapshot) else snapshot
        extra: dict[str, Any] = {"timeout_seconds": timeout} if timeout is not None else {}
        if test_id:
            extra["test_id"] = test_id
        body = self.call("restore", snapshot=name, **extra)
        with self._lock:
            self._created[body["id"]] = None
        return Environment(self, body)

    def delete_snapshot(self, snapshot: Union[str, Snapshot]) -> None:
        self.call("delete_snapshot", snapshot=snapshot.name if isinstance(snapshot, Snapshot) else snapshot)

    def export_snapshot(self, snapshot: Union[str, Snapshot], path: Union[str, os.PathLike[str]]) -> None:
        name = snapshot.name if isinstance(snapshot, Snapshot) else snapshot
        self.call("export_snapshot", snapshot=name, path=os.path.abspath(path))

    def import_snapshot(self, path: Union[str, os.PathLike[str]], name: Optional[str] = None) -> Snapshot:
        request: dict[str, Any] = {"path": os.path.abspath(path)}
        if name:
            request["name"] = name
        return Snapshot.from_abi(self.call("import_snapshot", **request))

    # -- jobs

    def run_job(
        self,
        command: Union[str, Sequence[str]],
        *,
        image: Optional[str] = None,
        build: Optional[Build] = None,
        env: Optional[dict[str, str]] = None,
        entrypoint: Optional[Sequence[str]] = None,
        workdir: Optional[str] = None,
        user: Optional[str] = None,
        memory: Optional[str] = None,
        cpus: Optional[str] = None,
        pids: Optional[int] = None,
        gpus: Optional[int] = None,
        network: Optional[str] = None,
        volumes: Sequence[Volume] = (),
        tmpfs: Sequence[Union[str, Tmpfs]] = (),
        labels: Optional[dict[str, str]] = None,
        read_only_root: bool = False,
        cap_add: Sequence[str] = (),
        cap_drop: Sequence[str] = (),
        privileged: bool = False,
        secrets: Sequence[Secret] = (),
        retries: Optional[int] = None,
        backoff_seconds: Optional[float] = None,
        deadline_seconds: Optional[float] = None,
        ttl_seconds: Optional[float] = None,
        name: Optional[str] = None,
    ) -> JobResult:
        """Runs ``command`` (a list, or a string for ``sh -c``) in a one-off container of
        ``image`` (or of ``build``) to completion, and returns its exit code and output.

        A non-zero exit is retried ``retries`` times (default 0), waiting ``backoff_seconds``
        (default 1) and then twice as long each time. Past ``deadline_seconds`` (the whole
        job; default 24 hours) the container is killed and removed, and :class:`Timeout` is
        raised with the last output. The finished container is removed at once, or kept
        ``ttl_seconds`` for inspection (default 0). The defaults and ranges are the core's.
        ``secrets`` reach the job as variables only (``delivery="env"``): its command
        runs as the container starts, before a file could be written."""
        argv = ["sh", "-c", command] if isinstance(command, str) else list(command)
        spec: dict[str, Any] = {"command": argv}
        limits = {"memory": memory, "cpus": cpus, "pids": pids, "gpus": gpus}
        optional = {
            "name": name,
            "image": image,
            "build": _request(build) if build is not None else None,
            "environment": dict(env) if env else None,
            "entrypoint": list(entrypoint) if entrypoint is not None else None,
            "workdir": workdir,
            "user": user,
            "resources": {k: v for k, v in limits.items() if v is not None} or None,
            "network": network,
            "volumes": [_request(volume) for volume in volumes] or None,
            "tmpfs": [_request(mount) for mount in tmpfs] or None,
            "labels": dict(labels) if labels else None,
            "read_only_root": True if read_only_root else None,
            "cap_add": list(cap_add) or None,
            "cap_drop": list(cap_drop) or None,
            "privileged": True if privileged else None,
            "secrets": [_request(secret) for secret in secrets] or None,
            "retries": retries,
            "backoff_seconds": backoff_seconds,
            "deadline_seconds": deadline_seconds,
            "ttl_seconds": ttl_seconds,
        }
        spec.update({key: value for key, value in optional.items() if value is not None})
        return JobResult.from_abi(argv, self.call("run_job", spec=spec))

    def templates(self) -> builtins.list[dict[str, Any]]:
        """The venv template cache, least recently used first (what ``collect_templates`` shrinks)."""
        return list(self.call("templates")["templates"])

    def collect_templates(self, max_bytes: Optional[int] = None) -> builtins.list[str]:
        """Evicts least recently used venv templates until the cache fits ``max_bytes``
        (default: its budget); returns the evicted templates' keys."""
        request = {"max_bytes": max_bytes} if max_bytes is not None else {}
        return [str(key) for key in self.call("collect_templates", **request)["evicted"]]

    def cached_images(self) -> builtins.list[dict[str, Any]]:
        """The image cache (images built from ``build`` contexts), least recently used first."""
        return list(self.call("cached_images")["images"])

    def collect_images(self, max_bytes: Optional[int] = None) -> builtins.list[dict[str, Any]]:
        """Evicts least recently used cached images no container uses until the cache fits
        ``max_bytes`` (default: its budget); returns what was evicted."""
        request = {"max_bytes": max_bytes} if max_bytes is not None else {}
        return list(self.call("collect_images", **request)["evicted"])

    def cancel_all(self) -> int:
        """Cancels every call of this manager in flight on other threads (they raise
        :class:`Cancelled`, their commands killed); returns how many."""
        return int(self.call("cancel_all")["cancelled"])

    def doctor(self) -> dict[str, Any]:
        """Which engines this machine can use (Docker's reachability and version)."""
        return dict(self.call("doctor"))

    def engines(self) -> builtins.list[dict[str, Any]]:
        """The registered engines: ``kind``, ``available`` (else ``unavailable_reason``),
        ``capabilities``, ``priority``, ``observable`` (has logs and stats)."""
        return list(self.call("engines")["engines"])

    def cleanup(self, scope: str = "session", *, session: Optional[str] = None, dry_run: bool = False) -> dict[str, Any]:
        """Removes leftovers found in the database, in Docker labels and in venv metadata
        (so it works with the database gone), as ``ptest-iso cleanup`` does: ``scope`` is
        ``"session"`` (this manager's, or ``session``), ``"expired"`` or ``"everything"``.
        With ``dry_run`` nothing is removed. Returns what was (or would be) removed."""
        if self.remote and scope == "session" and not dry_run:
            return {"destroyed": self.destroy_session(session)}
        request: dict[str, Any] = {"scope": scope, "dry_run": dry_run}
        if scope == "session":
            request["session"] = session or self.session
        elif session is not None:
            request["session"] = session
        return dict(self.call("cleanup", **request))


class Environment:
    """One isolated place to run code. As a context manager it is destroyed at the end."""

    def __init__(self, manager: Manager, body: dict[str, Any]) -> None:
        self._manager = manager
        self._update(body)
        self.last_result: Optional[RunResult] = None
        #: From :meth:`Manager.acquire`: whether a waiting environment was taken (None otherwise).
        self.pool_hit: Optional[bool] = None

    def _update(self, body: dict[str, Any]) -> None:
        self.id: str = body["id"]
        self.engine: str = body["engine"]
        self.status: str = body["status"]
        self.session: str = body["session"]
        self.location: str = body["location"]
        self.labels: dict[str, str] = body["labels"]
        self.details: dict[str, str] = body["details"]
        self.spec: dict[str, Any] = body["spec"]

    def __repr__(self) -> str:
        return f"<Environment {self.id} {self.engine} {self.status} at {self.location}>"

    @property
    def pool(self) -> Optional[str]:
        """The warm pool the environment was made for, if any (it may have been handed over by
        :meth:`Manager.create` of the pool's spec: ``details["pool.state"]`` is then ``acquired``)."""
        return self.labels.get("ptest-iso.pool")

    @property
    def test_id(self) -> Optional[str]:
        """The test that made the environment (its pytest node id), when one was given."""
        return self.labels.get("ptest-iso.test")

    @property
    def reused(self) -> bool:
        """Whether the environment is shared across runs (made with ``reuse=True``): it
        belongs to no session and outlives the run until its TTL, ``ptest-iso rm`` or
        an explicit :meth:`destroy`."""
        return "ptest-iso.reuse" in self.labels

    @property
    def shared(self) -> bool:
        """Whether the environment is shared by the processes of its session (made with
        ``shared=True``): the session's end removes it, not the test or worker that asked."""
        return "ptest-iso.shared" in self.labels

    @property
    def reuse_key(self) -> Optional[str]:
        """The key under which runs find a reused environment: a hash of its spec
        without its per-run fields (name, TTL, cleanup)."""
        return self.labels.get("ptest-iso.reuse")

    @property
    def ports(self) -> dict[int, int]:
        """Published container ports → their host ports (Docker environments; for a compose
        stack, its main service's)."""
        return {int(key[5:]): int(value) for key, value in self.details.items() if key.startswith("port.") and key[5:].isdigit()}

    @property
    def services(self) -> list[str]:
        """A compose stack's started services, in start order (empty for anything else)."""
        listed = self.details.get("compose.services", "")
        return listed.split(",") if listed else []

    def service(self, name: str) -> "Environment":
        """One service of a compose stack, addressed as ``ID/SERVICE``: ``run``, ``stream``,
        ``copy_in``/``copy_out``, ``logs``, ``stats`` and ``ports`` act on its container. What
        acts on the whole stack (``destroy``, ``stop``, snapshots) stays on the stack; the
        core refuses it for a service.

        Raises ``KeyError`` naming the services when ``name`` is not one of them."""
        if name not in self.services:
            raise KeyError(f"{name!r} is not a started service of environment {self.id} (services: {', '.join(self.services) or 'none'})")
        prefix = f"port.{name}."
        details = {key: value for key, value in self.details.items() if not (key.startswith("port.") and key[5:].isdigit())}
        details.update({f"port.{key[len(prefix):]}": value for key, value in self.details.items() if key.startswith(prefix)})
        body = {
            "id": f"{self.id}/{name}", "engine": self.engine, "status": self.status, "session": self.session,
            "location": self.details[f"container.{name}"], "labels": dict(self.labels), "details": details, "spec": self.spec,
        }
        return Environment(self._manager, body)

    def service_ports(self, service: str) -> dict[int, int]:
        """A compose stack's service's published ports → host ports.

        Raises ``KeyError`` naming the services when ``service`` is not one of them."""
        if service not in self.services:
            raise KeyError(f"{service!r} is not a started service of environment {self.id} (services: {', '.join(self.services) or 'none'})")
        prefix = f"port.{service}."
        return {int(key[len(prefix):]): int(value) for key, value in self.details.items() if key.startswith(prefix)}

    def __enter__(self) -> "Environment":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        # A reused environment outlives the block: only an explicit destroy() removes it.
        if not self.reused:
            self.destroy(missing_ok=True)

    def refresh(self) -> "Environment":
        self._update(self._manager.call("get", id=self.id))
        return self

    def run(
        self,
        argv: Union[str, Sequence[str]],
        *,
        env: Optional[dict[str, str]] = None,
        cwd: Optional[str] = None,
        timeout: Optional[float] = None,
        stdin: Optional[str] = None,
        check: bool = False,
        stream: Optional[OutputCallback] = None,
    ) -> RunResult:
        """Runs a command (a list, or a string for ``sh -c``) in the environment.

        With ``stream``, each :class:`OutputChunk` goes to ``stream(chunk)`` as the command writes
        it (on this thread, in order); returning ``False`` from it kills the command and raises
        ``Cancelled``. The result still holds the whole output."""
        args, request = self._run_request(argv, env=env, cwd=cwd, timeout=timeout, stdin=stdin)
        if stream is not None:
            result = streaming.run_streaming(self._manager._transport, args, request, stream)
        else:
            result = RunResult.from_abi(args, self._manager.call("run", **request))
        self.last_result = result
        return result.check_returncode() if check else result

    def stream(
        self,
        argv: Union[str, Sequence[str]],
        *,
        env: Optional[dict[str, str]] = None,
        cwd: Optional[str] = None,
        timeout: Optional[float] = None,
        stdin: Optional[str] = None,
    ) -> OutputStream:
        """Starts a command and iterates its :class:`OutputChunk` s as they come; the
        :class:`RunResult` is ``.result`` once the iteration has ended. Use it in ``with``:
        leaving the block early kills the command."""
        args, request = self._run_request(argv, env=env, cwd=cwd, timeout=timeout, stdin=stdin)
        return OutputStream(self._manager._transport, args, request)

    def _run_request(
        self,
        argv: Union[str, Sequence[str]],
        *,
        env: Optional[dict[str, str]],
        cwd: Optional[str],
        timeout: Optional[float],
        stdin: Optional[str],
    ) -> tuple[list[str], dict[str, Any]]:
        args = ["sh", "-c", argv] if isinstance(argv, str) else list(argv)
        request: dict[str, Any] = {"id": self.id, "argv": args}
        if env:
            request["environment"] = env
        if cwd is not None:
            request["working_directory"] = cwd
        if timeout is not None:
            request["timeout_seconds"] = timeout
        if stdin is not None:
            request["stdin"] = stdin
        return args, request

    def python(self, code: str, **kwargs: Any) -> RunResult:
        """Runs Python code with the environment's interpreter (`python3`: in a venv and in a container)."""
        return self.run(["python3", "-c", code], **kwargs)

    def install(self, *requirements: str, requirement_files: Sequence[str] = (), constraint_files: Sequence[str] = (),
                find_links: Sequence[str] = (), index_url: Optional[str] = None, offline: bool = False,
                timeout: Optional[float] = None) -> RunResult:
        request: dict[str, Any] = {
            "id": self.id,
            "requirements": list(requirements),
            "requirement_files": [os.path.abspath(p) for p in requirement_files],
            "constraint_files": [os.path.abspath(p) for p in constraint_files],
            "find_links": [os.path.abspath(p) for p in find_links],
            "offline": offline,
        }
        if index_url:
            request["index_url"] = index_url
        if timeout:
            request["timeout_seconds"] = timeout
        return RunResult.from_abi(["install", *requirements], self._manager.call("install", **request))

    def packages(self) -> dict[str, str]:
        """Installed distributions: name → version."""
        return {p["name"]: p["version"] for p in self._manager.call("packages", id=self.id)["packages"]}

    def uninstall(self, *names: str) -> RunResult:
        return RunResult.from_abi(["uninstall", *names], self._manager.call("uninstall", id=self.id, names=list(names)))

    def copy_in(self, source: Union[str, os.PathLike[str]], destination: str = ".") -> None:
        """Copies a host file or tree in, by ``docker cp``'s rule (docs/environments.md): a trailing
        ``/.`` on ``source`` copies a directory's contents, a trailing ``/`` on ``destination`` names a directory.
        From a remote manager the files travel in the request (the server's body limit bounds them)."""
        if self._manager.remote:
            archive, contents = _archive(source)
            self._manager.call("put_archive", id=self.id, archive=archive, destination=destination, contents=contents)
            return
        self._manager.call("copy_in", id=self.id, source=_host_path(source), destination=destination)

    def copy_out(self, source: str, destination: Union[str, os.PathLike[str]]) -> None:
        """Copies a file or tree of the working directory out, by the same rule as :meth:`copy_in`."""
        if self._manager.remote:
            _place(self._manager.call("get_archive", id=self.id, source=source)["archive"], source, destination)
            return
        self._manager.call("copy_out", id=self.id, source=source, destination=_host_path(destination))

    def snapshot(self, name: Optional[str] = None, *, temporary: bool = False) -> Snapshot:
        """A named restore point. A ``temporary`` one is deleted with the session
        (by the session's reaper when the process dies first)."""
        request: dict[str, Any] = {"id": self.id}
        if name:
            request["name"] = name
        if temporary:
            request["temporary"] = True
        return Snapshot.from_abi(self._manager.call("snapshot", **request))

    def logs(self, tail: Optional[int] = None) -> str:
        """What the container's main process wrote (stdout and stderr, in order), the last
        ``tail`` lines when given. Docker environments only (a venv raises ``EngineUnavailable``)."""
        request: dict[str, Any] = {"id": self.id}
        if tail is not None:
            request["tail"] = tail
        return "".join(chunk["text"] for chunk in self._manager.call("logs", **request)["logs"])

    def follow_logs(self, callback: OutputCallback, *, tail: Optional[int] = None) -> None:
        """Hands each new piece of the container's log to ``callback`` (on this thread) as it is
        written, until the environment is removed or ``callback`` returns ``False`` (then
        ``Cancelled`` is raised). Docker environments only."""
        request: dict[str, Any] = {"id": self.id}
        if tail is not None:
            request["tail"] = tail
        streaming.follow(self._manager._transport, request, callback)

    def migrate(self, *, image: str, timeout: Optional[float] = None) -> "Environment":
        """A new Docker environment of ``image`` from this virtualenv one: the same
        packages pinned to their installed versions, working files and variables.
        This environment is left as it is. Raises ``InvalidSpec`` when the image
        has no python3 or a different minor Python version."""
        request: dict[str, Any] = {"id": self.id, "image": image}
        if timeout:
            request["timeout_seconds"] = timeout
        body = self._manager.call("migrate", **request)
        with self._manager._lock:
            self._manager._created[body["id"]] = None
        return Environment(self._manager, body)

    def stop(self) -> None:
        self._manager.call("stop", id=self.id)
        self.refresh()

    def start(self) -> None:
        self._manager.call("start", id=self.id)
        self.refresh()

    def restart(self) -> None:
        """Restarts a container's processes (Docker environments)."""
        self._manager.call("restart", id=self.id)

    def pause(self) -> None:
        """Freezes a container's processes; commands are refused until ``unpause()``."""
        self._manager.call("pause", id=self.id)
        self.status = "paused"

    def unpause(self) -> None:
        self._manager.call("unpause", id=self.id)
        self.status = "running"

    def stats(self) -> dict[str, Any]:
        """One sample of the container's resource usage (CPU %, memory, network, I/O)."""
        return dict(self._manager.call("stats", id=self.id))

    def remove(self, *, force: bool = False, timeout: Optional[float] = None) -> None:
        """What ``ptest-iso rm`` does: removes an environment nobody uses (ready, stopped,
        failed); with ``force`` one in any status, and an already destroyed one is no error."""
        request: dict[str, Any] = {"id": self.id, "force": force}
        if timeout is not None:
            request["timeout_seconds"] = timeout
        self._manager.call("remove", **request)
        self.status = "destroyed"

    def destroy(self, *, missing_ok: bool = False, wait: bool = True) -> None:
        """Removes everything the environment made — for a :attr:`reused` one, for every
        run and worker that shares it (the next run makes a new one). With ``missing_ok`` an
        environment already destroyed (or being destroyed) by someone else — an
        xdist worker, the reaper — is not an error. With ``wait=False`` it
        returns at once and the removal goes on in the background (the
        manager's ``close()`` waits for it; the session's reaper finishes it
        if the process dies first)."""
        try:
            self._manager.call("destroy", id=self.id, background=not wait)
        except IllegalTransition:
            # The core decided, in one step, that it is already gone or going: no get-then-destroy race.
            if not missing_ok:
                raise
            self.status = "destroyed"
            return
        self.status = "destroyed" if wait else "destroying"
        # Gone or going: the manager's destroy_created() need not ask about it again.
        with self._manager._lock:
            self._manager._created.pop(self.id, None)


def _spec_request(spec: Optional[Spec], fields: dict[str, Any]) -> dict[str, Any]:
    if spec is not None and fields:
        raise InvalidSpec("pass either a spec or keyword fields, not both")
    if spec is None or isinstance(spec, dict):
        spec = spec_from_fields(fields if spec is None else spec)
    return spec.to_request()


def _host_path(path: Union[str, os.PathLike[str]]) -> str:
    """An absolute path that keeps what ``abspath`` drops and the copy rule reads: a trailing ``/.`` or ``/``."""
    text = os.fspath(path)
    absolute = os.path.abspath(text)
    if text == "." or text.endswith(os.sep + "."):
        return absolute.rstrip(os.sep) + os.sep + "."
    if text.endswith(os.sep) and absolute != os.sep:
        return absolute + os.sep
    return absolute



def _archive(source: Union[str, os.PathLike[str]]) -> tuple[str, bool]:
    """``source`` as a base64 tar archive with one top-level member, and whether its contents
    are meant (a trailing ``/.``), for a server's ``put_archive``."""
    import base64

    text = os.fspath(source)
    contents = text == "." or text.endswith(os.sep + ".")
    path = pathlib.Path(os.path.abspath(text))
    if not path.exists():
        from .errors import IOFailure

        raise IOFailure(f"source: {text} does not exist", details={"field": "source"})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        archive.add(str(path), arcname=path.name or "root", recursive=True)
    return base64.b64encode(buffer.getvalue()).decode(), contents


def _place(archive: str, source: str, destination: Union[str, os.PathLike[str]]) -> None:
    """Unpacks what a server's ``get_archive`` sent (its member ``payload``: ``source``'s copy)
    where ``copy_out`` would put it: into ``destination`` if it is a directory (or ends with
    ``/``), else as ``destination``; a ``source`` ending in ``/.`` merges its contents."""
    import base64

    target = pathlib.Path(os.path.abspath(os.fspath(destination)))
    with tempfile.TemporaryDirectory(prefix="ptest-iso-get-") as folder:
        with tarfile.open(fileobj=io.BytesIO(base64.b64decode(archive)), mode="r") as tar:
            tar.extractall(folder, filter="tar")
        payload = pathlib.Path(folder) / "payload"
        if source == "." or source.endswith("/."):
            shutil.copytree(payload, target, dirs_exist_ok=True, symlinks=True)
            return
        if target.is_dir() or os.fspath(destination).endswith(os.sep):
            target = target / pathlib.PurePosixPath(source.rstrip("/")).name
        target.parent.mkdir(parents=True, exist_ok=True)
        if payload.is_dir():
            shutil.copytree(payload, target, dirs_exist_ok=True, symlinks=True)
        else:
            shutil.copy2(payload, target, follow_symlinks=False)
