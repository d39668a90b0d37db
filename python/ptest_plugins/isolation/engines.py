"""ptestx ``IsolationEngine`` subclasses backed by ptest-isolation's core.

One engine instance owns one core :class:`ptest_isolation.Manager`, opened on
first use from the engine's config (``home``, ``session``,
``max_live_environments``, ``default_ttl_seconds``, ``template_cache_bytes``)
and closed by :meth:`CoreEngine.cleanup` (ptestx's ``EngineRegistry.destroy_engine``),
which also destroys what it created unless ``cleanup_on_close`` is false."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import ptest_isolation
from ptest_isolation import DockerSpec, IsolationError, Manager

from ._ptestx import IsolatedEnvironment, IsolationEngine, logger
from .environment import IsoEnvironment
from .events import EventRouter
from .translate import FROM_SNAPSHOT, MANAGER_KEYS, snapshot_name, spec_from_config

VIRTUALENV = "iso-virtualenv"
DOCKER = "iso-docker"


class CoreEngine(IsolationEngine):
    """What both engines share; registered only through the subclasses' ``__engine_info__``."""

    #: The core engine (``EngineKind``) specs go to.
    core_engine = "virtualenv"
    features: tuple[str, ...] = ()

    def __init__(self, config: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(dict(config or {}))
        self.engine_name = self.registered_name  # ptestx's base sets the class name
        self.supported_features = list(self.features)
        self.events = EventRouter()
        self._lock = threading.Lock()
        self._manager: Optional[Manager] = None

    @property
    def registered_name(self) -> str:
        """The name ptestx's registry knows this engine by."""
        return str(type(self).__engine_info__["name"])  # type: ignore[attr-defined]

    @property
    def core_manager(self) -> Manager:
        """The core manager, opened on first use; its events go to the environments' listeners."""
        with self._lock:
            if self._manager is None:
                options = {key: self.config[key] for key in MANAGER_KEYS if self.config.get(key) is not None}
                manager = Manager(**options)
                manager.on_event(self.events.dispatch)
                self._manager = manager
            return self._manager

    # -- ptestx's IsolationEngine contract

    def create_isolation(self, path: Path, env_id: str, isolation_config: Dict[str, Any]) -> IsolatedEnvironment:
        """A new core environment for ``isolation_config`` (or, with ``from_snapshot``, a
        restored one). Errors are the core's typed ``ptest_isolation`` exceptions."""
        config = {**self.config, **(isolation_config or {})}
        timeout = config.get("create_timeout")
        source = snapshot_name(config[FROM_SNAPSHOT]) if config.get(FROM_SNAPSHOT) else None
        manager = self.core_manager
        if source:
            core = manager.restore(source, timeout=timeout)
        else:
            core = manager.create(spec_from_config(self.core_engine, config, env_id), timeout=timeout)
        environment = IsoEnvironment(env_id, Path(path), self, config, core, restored_from=source)
        self.created_environments[env_id] = environment
        logger.info(f"Created {self.registered_name} environment {env_id}: core {core.id} at {core.location}")
        return environment

    def cleanup_isolation(self, env: IsolatedEnvironment) -> bool:
        if not self._owns(env):
            logger.error(f"{self.registered_name} cannot clean up a {type(env).__name__}")
            return False
        cleaned = env.cleanup(force=True)
        if cleaned:
            self.created_environments.pop(env.env_id, None)
        return cleaned

    def get_isolation_status(self, env_id: str) -> Dict[str, Any]:
        environment = self.created_environments.get(env_id)
        if environment is None:
            return {"status": "not_found", "isolation_type": self.registered_name}
        status = environment.get_status()
        status["supported_features"] = self.get_supported_features()
        return status

    def validate_isolation(self, env: IsolatedEnvironment) -> bool:
        return self._owns(env) and env.validate_isolation()

    def check_environment_health(self, env: IsolatedEnvironment) -> bool:
        """Healthy: the core holds it and it has not failed (a stopped environment is healthy)."""
        if not self._owns(env):
            return False
        try:
            return env.core.refresh().status in ("ready", "running", "stopped")
        except IsolationError:
            return False

    def get_environment_metrics(self, env: IsolatedEnvironment) -> Dict[str, Any]:
        if not self._owns(env):
            return {"performance": {}, "error": f"not a {self.registered_name} environment"}
        try:
            core = env.core.refresh()
            packages = env.core.packages() if core.status in ("ready", "running") else {}
        except IsolationError as error:
            return {"performance": {}, "error": error.message}
        return {"performance": {"packages_count": len(packages)}, "status": core.status, "location": core.location}

    def get_supported_features(self) -> List[str]:
        return list(self.supported_features)

    def get_engine_info(self) -> Dict[str, Any]:
        info = super().get_engine_info()
        info.update({"engine_type": self.registered_name, "core_engine": self.core_engine, "library_version": ptest_isolation.__version__})
        if self._manager is not None:
            info.update({"home": self._manager.home, "session": self._manager.session})
        return info

    def cleanup(self) -> None:
        """Closes the core manager (ptestx's registry calls this in ``destroy_engine``),
        destroying the environments it created unless ``cleanup_on_close`` is false."""
        with self._lock:
            manager, self._manager = self._manager, None
        if manager is not None:
            try:
                if self.config.get("cleanup_on_close", True):
                    manager.destroy_created()
            finally:
                manager.close()
        self.created_environments.clear()

    # -- beyond the contract: snapshots are the core's, not one environment's

    def delete_snapshot(self, snapshot_id: str, *, requested_by: Optional[str] = None) -> None:
        """Deletes a core snapshot by its ptestx ``snapshot_id`` (our snapshot name).

        ``IsolationManager.delete_snapshot`` reaches an engine only while the
        snapshot's source environment is live; this deletes it in any case."""
        name = snapshot_name(snapshot_id)
        manager = self.core_manager
        for snapshot in manager.snapshots():
            if name in (snapshot.name, snapshot.id):
                self.events.route_snapshot(snapshot.id, snapshot.name, requested_by)
                break
        manager.delete_snapshot(name)

    def _owns(self, env: IsolatedEnvironment) -> bool:
        return isinstance(env, IsoEnvironment) and env.isolation_engine is self


class IsoVirtualenvEngine(CoreEngine):
    """ptest-isolation's virtualenv engine: template-cached venvs, persistent snapshots."""

    __engine_info__ = {
        "name": VIRTUALENV,
        "description": "ptest-isolation virtualenvs (Swift core): template-cached venvs, persistent snapshots, session cleanup",
        "version": ptest_isolation.__version__,
        "author": "ptest-isolation",
        "supported_features": ["python_package_isolation", "process_execution", "snapshots", "events"],
        "dependencies": [],
        "priority": 50,
    }
    engine_name = VIRTUALENV
    isolation_level = VIRTUALENV
    core_engine = "virtualenv"
    features = tuple(__engine_info__["supported_features"])


class IsoDockerEngine(CoreEngine):
    """ptest-isolation's Docker engine: containers with resource limits and snapshots as images.

    Availability is reported the way ptestx's own Docker engine does it
    (:meth:`verify_docker_environment`, :meth:`initialize_client`); creating an
    environment while the core has no usable Docker engine raises
    :class:`ptest_isolation.EngineUnavailable`."""

    __engine_info__ = {
        "name": DOCKER,
        "description": "ptest-isolation Docker containers (Swift core): resource limits, networks, snapshots as images",
        "version": ptest_isolation.__version__,
        "author": "ptest-isolation",
        "supported_features": [
            "container_isolation",
            "python_package_isolation",
            "process_execution",
            "snapshots",
            "resource_limits",
            "network_isolation",
            "image_management",
            "events",
        ],
        "dependencies": [],
        "priority": 60,
    }
    engine_name = DOCKER
    isolation_level = DOCKER
    core_engine = "docker"
    features = tuple(__engine_info__["supported_features"])

    def verify_docker_environment(self) -> Dict[str, Any]:
        """``{"available": bool, "reason": str, ...}``, as ptestx's Docker engine answers:
        the core's engine choice for a Docker spec, and its daemon diagnostics."""
        probe = DockerSpec(image=self.config.get("default_image") or "ptest-iso/availability-probe")
        try:
            engine, reason = self.core_manager.choose_engine(probe)
            docker = dict(self.core_manager.doctor().get("docker") or {})
        except IsolationError as error:
            return {"available": False, "reason": error.message, "error": error.code, "simulation_mode": False}
        reachable = bool(docker.get("reachable"))
        return {
            "available": engine == "docker" and reachable,
            "reason": reason if reachable else str(docker.get("problem") or "the Docker daemon is not reachable"),
            "simulation_mode": False,
            "docker_info": docker,
        }

    def initialize_client(self) -> bool:
        return bool(self.verify_docker_environment()["available"])
