"""The stacks ptest-isolation brings up from the corpus compared with what Debian's
docker-compose (1.29.2, the reference implementation installed by scripts/python-tools.sh)
brings up from the same files: per service, the same image, command, entrypoint,
environment, user, working directory, healthcheck, restart policy, capabilities, limits,
published ports, mounts, networks and aliases, and labels. And Compose sees our stacks:
``docker-compose ps`` lists them."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import uuid
from typing import Any

import pytest

import ptest_isolation as iso

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "ComposeCorpus"
COMPOSE = shutil.which("docker-compose")

#: Corpus projects compared, with their files in merge order. Left out: `build-args` (a build),
#: `long-syntax` (compose v1 has no `host_ip` in the long port syntax),
#: `profiles` and `replicas` (compose v1 reads `deploy` only with --compatibility), `version2-lists`
#: and `resource-limits` (v1 and the spec differ on `mem_limit`/`deploy` in this version).
PROJECTS = {
    "webapp-db-cache": ["compose.yaml"],
    "healthchecks": ["compose.yaml"],
    "multi-network": ["compose.yaml"],
    "named-volumes": ["compose.yaml"],
    "env-files": ["compose.yaml"],
    "override": ["compose.yaml", "compose.override.yaml"],
    "anchors": ["compose.yaml"],
    "worker-queue": ["compose.yaml"],
}

#: External volumes a project expects to exist.
EXTERNAL_VOLUMES = {"named-volumes": ["ci-shared-cache"]}

pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose is installed by scripts/python-tools.sh")


def docker_json(*args: str) -> Any:
    return json.loads(subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout)


def containers(project: str) -> dict[str, dict[str, Any]]:
    """Service → the inspect of its first container."""
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project}"],
                         check=True, capture_output=True, text=True).stdout.split()
    found: dict[str, dict[str, Any]] = {}
    for inspect in docker_json("inspect", *ids) if ids else []:
        labels = inspect["Config"]["Labels"] or {}
        if labels.get("com.docker.compose.container-number") == "1":
            found[labels["com.docker.compose.service"]] = inspect
    return found


def shape(inspect: dict[str, Any], project: str) -> dict[str, Any]:
    """What the file decides about a container, with the project's name taken out of names."""
    config, host = inspect["Config"], inspect["HostConfig"]
    labels = {key: value for key, value in (config["Labels"] or {}).items()
              if not key.startswith(("com.docker.compose.", "ptest-iso."))}
    networks = inspect["NetworkSettings"]["Networks"] or {}
    return {
        "image": config["Image"],
        "cmd": config["Cmd"],
        "entrypoint": config["Entrypoint"],
        # A variable listed without a value and unset: compose v1 passes the bare name (which sets
        # nothing in the container); ptest-isolation leaves it out.
        "env": sorted(entry for entry in config["Env"] or [] if "=" in entry),
        "user": config["User"],
        "workdir": config["WorkingDir"],
        "healthcheck": config.get("Healthcheck"),
        "restart": host["RestartPolicy"],
        "cap_add": sorted(host["CapAdd"] or []),
        "cap_drop": sorted(host["CapDrop"] or []),
        "privileged": host["Privileged"],
        "read_only": host["ReadonlyRootfs"],
        "memory": host["Memory"],
        "nano_cpus": host["NanoCpus"],
        "ports": sorted((port, tuple(sorted((b["HostIp"], b["HostPort"] if b["HostPort"] not in ("", "0") else "") for b in bindings or [])))
                        for port, bindings in (host["PortBindings"] or {}).items()),
        "mounts": sorted((m["Type"], m["Destination"], m["RW"], (m.get("Name") or m.get("Source") or "").replace(project, "P"))
                         for m in inspect["Mounts"] if not (m["Type"] == "volume" and len(m.get("Name", "")) == 64)),
        "networks": sorted(name.replace(project, "P") for name in networks),
        "aliases": sorted(alias for net in networks.values() for alias in (net.get("Aliases") or [])
                          if alias != inspect["Id"][:12] and alias != inspect["Config"]["Hostname"]),
        "labels": labels,
    }


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_our_stack_is_the_one_docker_compose_brings_up(manager: iso.Manager, name: str) -> None:
    files = [str(CORPUS / name / file) for file in PROJECTS[name]]
    theirs, ours = f"ptisoref{uuid.uuid4().hex[:8]}", f"ptisoours{uuid.uuid4().hex[:8]}"
    compose = [COMPOSE or "docker-compose", "-p", theirs] + [arg for file in files for arg in ("-f", file)]
    stack = None
    for volume in EXTERNAL_VOLUMES.get(name, []):
        subprocess.run(["docker", "volume", "create", "--label", "ptest-iso.test=1", volume], check=True, capture_output=True)
    try:
        # One after the other: corpus files publish fixed host ports.
        up = subprocess.run([*compose, "up", "-d"], capture_output=True, text=True, timeout=300)
        assert up.returncode == 0, up.stderr
        reference = {service: shape(inspect, theirs) for service, inspect in containers(theirs).items()}
        down = subprocess.run([*compose, "down", "-v", "-t", "0"], capture_output=True, text=True, timeout=300)
        assert down.returncode == 0, down.stderr

        stack = manager.create(compose=iso.Compose(files=files, project_name=ours))
        made = containers(ours)
        assert sorted(made) == sorted(reference)
        for service in reference:
            assert shape(made[service], ours) == reference[service], service

        # Compose sees the stack we made by its labels.
        listed = subprocess.run([COMPOSE or "docker-compose", "-p", ours] + [a for f in files for a in ("-f", f)] + ["ps", "-q"],
                                capture_output=True, text=True, timeout=120)
        assert listed.returncode == 0, listed.stderr
        assert sorted(listed.stdout.split()) == sorted(c["Id"] for c in made.values())
    finally:
        subprocess.run([*compose, "down", "-v", "-t", "0"], capture_output=True, timeout=300)
        if stack is not None:
            stack.destroy()
        for volume in EXTERNAL_VOLUMES.get(name, []):
            subprocess.run(["docker", "volume", "rm", "-f", volume], capture_output=True)
    assert containers(ours) == {}
