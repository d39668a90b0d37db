"""ptestx's ``IsolatedEnvironment`` contract on top of a ptest-isolation ``Environment``.

Every method is one call (or two) to the core; the only state kept here is
what ptestx's contract itself keeps (ids, timestamps, the caller's path).

Failures are reported the way the contract does — ``False``, ``{}``, or a
``ProcessResult`` with ``returncode == -1`` and the message in ``stderr`` —
and the typed ``ptest_isolation`` error is kept in :attr:`last_error`.
Creating an environment and creating a snapshot raise the typed error, as
ptestx's own engines raise there."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from ptest_isolation import Environment, InvalidArgument, IsolationError, NotFound, Snapshot

from ._ptestx import EnvironmentStatus, IsolatedEnvironment, ProcessResult, logger
from .translate import FROM_SNAPSHOT, STATUS, canonical_name, snapshot_name

if TYPE_CHECKING:
    from .engines import CoreEngine

_USABLE = ("ready", "running")


class IsoEnvironment(IsolatedEnvironment):
    """A ptestx environment backed by one core environment (``core``).

    ``path`` is the directory ptestx asked for; the environment itself lives
    at ``location`` in the core's state directory, and commands run in its
    working directory unless ``cwd`` says otherwise."""

    def __init__(
        self,
        env_id: str,
        path: Path,
        isolation_engine: "CoreEngine",
        config: Optional[Dict[str, Any]],
        core: Environment,
        restored_from: Optional[str] = None,
    ) -> None:
        self._core: Optional[Environment] = None
        self._initial_status = EnvironmentStatus.INITIALIZING
        super().__init__(env_id, Path(path), isolation_engine, config)
        self.isolation_engine: "CoreEngine" = isolation_engine
        self.last_error: Optional[IsolationError] = None
        # Created from this snapshot and not touched since: restoring it again is already done.
        self._fresh_from = restored_from
        self._bind(core)

    # -- what the core says

    @property
    def core(self) -> Environment:
        """The ptest-isolation environment behind this one."""
        assert self._core is not None
        return self._core

    @property
    def location(self) -> str:
        return self.core.location

    @property  # type: ignore[override]
    def status(self) -> EnvironmentStatus:
        """The core's status in ptestx's words (read from the core each time)."""
        if self._core is None:
            return self._initial_status
        try:
            self._core.refresh()
        except NotFound:
            return EnvironmentStatus.CLEANUP_COMPLETE
        except IsolationError:  # the engine's manager is closed: the last status known
            pass
        return STATUS[self._core.status]

    @status.setter
    def status(self, value: EnvironmentStatus) -> None:
        if self._core is not None:
            raise AttributeError("status follows the core environment; use activate(), deactivate() or cleanup()")
        self._initial_status = value  # ptestx's base __init__ sets one

    def get_status(self) -> Dict[str, Any]:
        status = super().get_status()
        core = self.core
        status.update(
            {
                "isolation_type": self.isolation_engine.registered_name,
                "core_id": core.id,
                "core_engine": core.engine,
                "core_status": core.status,
                "location": core.location,
                "session": core.session,
                "labels": dict(core.labels),
            }
        )
        return status

    def validate_isolation(self) -> bool:
        try:
            return self.core.refresh().status in _USABLE
        except IsolationError as error:
            return self._failed("validate_isolation", error, False)

    # -- lifecycle

    def activate(self) -> bool:
        self._touch()
        try:
            if self.core.refresh().status != "running":
                self.core.start()
        except IsolationError as error:
            return self._failed("activate", error, False)
        self.activated_at = datetime.now()
        return True

    def deactivate(self) -> bool:
        self._touch()
        try:
            if self.core.refresh().status != "stopped":
                self.core.stop()
        except IsolationError as error:
            return self._failed("deactivate", error, False)
        self.deactivated_at = datetime.now()
        return True

    def cleanup(self, force: bool = False) -> bool:
        """Destroys the core environment; with ``force`` a failure still counts as cleaned (ptestx's rule)."""
        try:
            self.core.destroy(missing_ok=True)
        except IsolationError as error:
            return self._failed("cleanup", error, force)
        if force and self.path.is_dir() and not any(self.path.iterdir()):
            self.path.rmdir()  # the empty directory ptestx made for us, as ptestx's engines do
        return True

    # -- commands and packages

    def execute_command(
        self,
        cmd: Union[str, Sequence[Union[str, os.PathLike]]],
        timeout: Optional[float] = None,
        env_vars: Optional[Dict[str, str]] = None,
        cwd: Optional[Union[str, os.PathLike]] = None,
    ) -> ProcessResult:
        self._touch()
        if timeout is None:
            timeout = self.config.get("command_timeout")
        argv: Union[str, List[str]] = cmd if isinstance(cmd, str) else [os.fspath(part) for part in cmd]
        started = datetime.now()
        try:
            result = self.core.run(argv, env=env_vars, cwd=os.fspath(cwd) if cwd is not None else None, timeout=timeout)
        except IsolationError as error:
            self._failed("execute_command", error)
            command = ["sh", "-c", argv] if isinstance(argv, str) else argv
            return ProcessResult(-1, "", error.message, command=command, timeout=timeout, start_time=started, end_time=datetime.now())
        self.last_activity = datetime.now()
        stderr = result.stderr + (f"Command timed out after {timeout} seconds\n" if result.timed_out else "")
        process = ProcessResult(
            returncode=-1 if result.timed_out else result.exit_code,  # ptestx's code for a timeout
            stdout=result.stdout,
            stderr=stderr,
            command=list(result.argv),
            timeout=timeout,
            start_time=started,
            end_time=started + timedelta(seconds=result.duration),
        )
        # The core's own facts, beside the contract's fields.
        process.exit_code = result.exit_code  # type: ignore[attr-defined]
        process.timed_out = result.timed_out  # type: ignore[attr-defined]
        process.duration = result.duration  # type: ignore[attr-defined]
        return process

    def install_package(self, package: str, version: Optional[str] = None, upgrade: bool = False) -> bool:
        """Installs ``package`` (``==version`` when given) from the sources in the
        environment's config: ``find_links``, ``index_url``, ``offline``, ``constraint_files``."""
        self._touch()
        if upgrade and not version:
            error = InvalidArgument(
                f"install_package({package!r}, upgrade=True): the installer does not upgrade in place; "
                "pass the version to install (version=...)"
            )
            return self._failed("install_package", error, False)
        requirement = f"{package}=={version}" if version else package
        config = self.config
        try:
            self.core.install(
                requirement,
                find_links=[os.fspath(path) for path in config.get("find_links") or ()],
                constraint_files=[os.fspath(path) for path in config.get("constraint_files") or ()],
                index_url=config.get("index_url"),
                offline=bool(config.get("offline")),
                timeout=config.get("pip_timeout"),
            )
        except IsolationError as error:
            return self._failed("install_package", error, False)
        return True

    def uninstall_package(self, package: str) -> bool:
        self._touch()
        try:
            self.core.uninstall(package)
        except IsolationError as error:
            return self._failed("uninstall_package", error, False)
        return True

    def get_installed_packages(self) -> Dict[str, str]:
        try:
            return self.core.packages()
        except IsolationError as error:
            return self._failed("get_installed_packages", error, {})

    def get_package_version(self, package: str) -> Optional[str]:
        wanted = canonical_name(package)
        for name, version in self.get_installed_packages().items():
            if canonical_name(name) == wanted:
                return version
        return None

    # -- ports: the core publishes none for this engine

    def allocate_port(self) -> int:
        """``-1`` (ptestx's "no port"): ptest-isolation allocates no ports for this engine;
        a virtualenv's processes share the host's network."""
        self.last_error = InvalidArgument(f"ports: the {self.isolation_engine.registered_name} engine allocates no ports")
        logger.warning(self.last_error.message)
        return -1

    def release_port(self, port: int) -> bool:
        return False  # nothing was ever allocated

    # -- snapshots

    def create_snapshot(self, snapshot_id: Optional[str] = None) -> Dict[str, Any]:
        """A core snapshot named ``snapshot_id`` (default: the core picks one), as ptestx's snapshot record."""
        snapshot = self.core.snapshot(snapshot_id)
        self.isolation_engine.events.route_snapshot(snapshot.id, snapshot.name, self.core.id)
        return self._record(snapshot)

    def restore_from_snapshot(self, snapshot: Union[str, Dict[str, Any]]) -> bool:
        """Makes this environment a restored copy of the snapshot: the core
        restores into a new environment, this one moves onto it and the old
        one is destroyed."""
        try:
            name = snapshot_name(snapshot)
        except IsolationError as error:
            return self._failed("restore_from_snapshot", error, False)
        if self._fresh_from == name:
            self._fresh_from = None
            return True
        try:
            restored = self.isolation_engine.core_manager.restore(name, timeout=self.config.get("create_timeout"))
        except IsolationError as error:
            return self._failed("restore_from_snapshot", error, False)
        previous = self.core
        self.isolation_engine.events.retire(previous.id)
        self._bind(restored)
        try:
            previous.destroy(missing_ok=True)
        except IsolationError as error:
            logger.warning(f"{self.env_id}: the environment replaced by the restore was not destroyed: {error}")
        return True

    def delete_snapshot(self, snapshot_id: str) -> bool:
        try:
            self.isolation_engine.delete_snapshot(snapshot_id, requested_by=self.core.id)
        except IsolationError as error:
            return self._failed("delete_snapshot", error, False)
        return True

    def list_snapshots(self) -> List[Dict[str, Any]]:
        """The core's snapshots taken of this environment."""
        try:
            taken = [s for s in self.isolation_engine.core_manager.snapshots() if s.source_environment == self.core.id]
        except IsolationError as error:
            return self._failed("list_snapshots", error, [])
        return [self._record(snapshot, packages=False) for snapshot in taken]

    # -- plumbing

    def _bind(self, core: Environment) -> None:
        self._core = core
        self.isolation_engine.events.bind(core.id, self)

    def _touch(self) -> None:
        self._fresh_from = None

    def _failed(self, operation: str, error: IsolationError, result: Any = None) -> Any:
        self.last_error = error
        logger.error(f"{self.env_id}: {operation} failed: {error.code}: {error.message}")
        return result

    def _packages_quietly(self) -> Dict[str, str]:
        try:
            return self.core.packages()
        except IsolationError:  # e.g. an image without Python: the record simply lists none
            return {}

    def _record(self, snapshot: Snapshot, *, packages: bool = True) -> Dict[str, Any]:
        """ptestx's snapshot record: what ``IsolationManager`` reads (``snapshot_id``,
        ``env_id``, ``created_at``, ``path``, ``isolation_level``, ``config``) and the
        ``EnvironmentSnapshot`` fields; the ``config`` makes ptestx's restore a core restore."""
        engine = self.isolation_engine.registered_name
        return {
            "snapshot_id": snapshot.name,
            "env_id": self.env_id,
            "created_at": datetime.fromtimestamp(snapshot.created_at).isoformat(),
            "isolation_level": engine,
            "snapshot_type": engine,
            "env_type": type(self).__name__,
            "path": str(self.path),
            "config": {**self.config, FROM_SNAPSHOT: snapshot.name},
            "packages": self._packages_quietly() if packages else {},
            "metadata": {"engine": snapshot.engine, "core_environment": snapshot.source_environment},
            "data": {"core_snapshot_id": snapshot.id, "core_snapshot_name": snapshot.name, "location": snapshot.location},
        }

