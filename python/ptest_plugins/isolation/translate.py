"""Word-for-word translations between ptestx's vocabulary and ptest-isolation's:
statuses, events, environment configs → specs, snapshot records."""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any, Mapping, Optional, Union

from ptest_isolation import DockerSpec, InvalidSpec, VenvSpec

from ._ptestx import EnvironmentStatus, IsolationEvent

#: Core status → ptestx status.
STATUS = {
    "creating": EnvironmentStatus.INITIALIZING,
    "ready": EnvironmentStatus.CREATED,
    "running": EnvironmentStatus.ACTIVE,
    "stopped": EnvironmentStatus.INACTIVE,
    # Frozen: it takes no commands until unpaused, as a stopped one until started.
    "paused": EnvironmentStatus.INACTIVE,
    "destroying": EnvironmentStatus.CLEANING,
    "destroyed": EnvironmentStatus.CLEANUP_COMPLETE,
    "failed": EnvironmentStatus.ERROR,
}

#: Core event kind → ptestx event. ``package-removed`` and ``progress`` have no ptestx counterpart.
EVENTS = {
    "created": IsolationEvent.ENVIRONMENT_CREATED,
    "started": IsolationEvent.ENVIRONMENT_ACTIVATED,
    "stopped": IsolationEvent.ENVIRONMENT_DEACTIVATED,
    "destroyed": IsolationEvent.ENVIRONMENT_CLEANUP_COMPLETE,
    "package-installed": IsolationEvent.PACKAGE_INSTALLED,
    "snapshot-created": IsolationEvent.SNAPSHOT_CREATED,
    "snapshot-restored": IsolationEvent.SNAPSHOT_RESTORED,
    "snapshot-deleted": IsolationEvent.SNAPSHOT_DELETED,
    "error": IsolationEvent.ERROR_OCCURRED,
}

#: Engine-level config keys: they open the core manager, they are not spec fields.
MANAGER_KEYS = ("home", "session", "max_live_environments", "default_ttl_seconds", "template_cache_bytes")

#: Config key naming a snapshot to create the environment from (``IsolationManager.restore_from_snapshot``
#: passes a snapshot's ``config`` back to ``create_isolation``; ours carries this key).
FROM_SNAPSHOT = "from_snapshot"

#: The label that ties a core environment to its ptestx environment id.
ENV_ID_LABEL = "ptestx.env-id"

_VENV_FIELDS = {field.name for field in dataclasses.fields(VenvSpec)}
_DOCKER_FIELDS = {field.name for field in dataclasses.fields(DockerSpec)}
_PATH_LISTS = ("requirement_files", "constraint_files", "find_links")

# ptestx config keys our core cannot honour (yet): refused when set, never silently dropped.
_UNSUPPORTED_VENV = {
    "system_site_packages": "the virtualenv engine always makes isolated venvs",
    # Its env-id label is part of the reuse key, and ptestx destroys what it cleans up.
    "reuse": "a ptestx environment is its env id's own; reuse across runs through ptest_isolation directly",
}
_UNSUPPORTED_DOCKER = {
    "port_mappings": "the Docker engine publishes no ports through this adapter yet",
    "volumes": "bind mounts are not part of a DockerSpec; copy files in with the core's copy_in",
    "create_volume": "bind mounts are not part of a DockerSpec",
    "create_network": "name an existing network with 'network' instead",
}
_RESOURCE_LIMITS = {"memory": "memory", "cpus": "cpus", "cpu": "cpus", "pids_limit": "pids", "pids": "pids"}


def spec_from_config(engine: str, config: Mapping[str, Any], env_id: str) -> Union[VenvSpec, DockerSpec]:
    """The spec for a ptestx environment config.

    Our spec fields are taken by name (``requirements``, ``find_links``,
    ``offline``, ``python``, ``env``, ``labels``, ``ttl_seconds``, ``cleanup``…);
    ptestx's own keys are translated (``python_path`` → ``python``,
    ``environment_vars`` → ``env``; for Docker ``image``/``default_image``,
    ``resource_limits``). Other keys ptestx puts into configs (``benchmark``,
    ``migrated_from``, …) stay in ``env.config`` and are not sent."""
    docker = engine == "docker"
    allowed = _DOCKER_FIELDS if docker else _VENV_FIELDS
    unsupported = {**_UNSUPPORTED_VENV, **(_UNSUPPORTED_DOCKER if docker else {})}
    for key, why in unsupported.items():
        if config.get(key):
            raise InvalidSpec(f"{key}: not supported by ptest-isolation's {engine} engine ({why}); remove it from the config")
    fields: dict[str, Any] = {key: value for key, value in config.items() if key in allowed and key not in MANAGER_KEYS}
    if "python" not in fields and config.get("python_path"):
        fields["python"] = config["python_path"]
    if fields.get("python") is not None:
        fields["python"] = os.fspath(fields["python"])
    for key in _PATH_LISTS:
        value = fields.get(key)
        if isinstance(value, (str, os.PathLike)):
            raise InvalidSpec(f"{key}: must be a list of paths, got {value!r}")
        if value is not None:
            fields[key] = [os.fspath(item) for item in value]
    if config.get("environment_vars"):
        fields["env"] = {**dict(config["environment_vars"]), **dict(fields.get("env") or {})}
    fields["labels"] = {ENV_ID_LABEL: env_id, **dict(fields.get("labels") or {})}
    fields.setdefault("name", env_id)
    if docker:
        if not fields.get("image") and config.get("default_image"):
            fields["image"] = config["default_image"]
        for key, value in dict(config.get("resource_limits") or {}).items():
            if key not in _RESOURCE_LIMITS:
                raise InvalidSpec(f"resource_limits.{key}: not supported; use {', '.join(sorted(set(_RESOURCE_LIMITS)))}")
            fields.setdefault(_RESOURCE_LIMITS[key], value if key.startswith("pids") else str(value))
        return DockerSpec(**fields)
    return VenvSpec(**fields)


def snapshot_name(snapshot: Union[str, Mapping[str, Any]]) -> str:
    """The core snapshot a ptestx snapshot record (or id) stands for."""
    if isinstance(snapshot, str):
        return snapshot
    data = snapshot.get("data") or {}
    name: Optional[str] = data.get("core_snapshot_name") or snapshot.get("snapshot_id")
    if not name:
        raise InvalidSpec("snapshot: a ptestx snapshot record needs 'snapshot_id'")
    return str(name)


def canonical_name(name: str) -> str:
    """PEP 503 normalisation, so ``get_package_version('Pti-Alpha')`` finds ``pti_alpha``."""
    return re.sub(r"[-_.]+", "-", name).lower()
