"""The stacks ptest-isolation brings up from the corpus compared with what Debian's
docker-compose (1.29.2, the reference implementation installed by scripts/python-tools.sh)
brings up from the same files: per service, the same image, command, entrypoint,
environment, user, working directory, healthcheck, restart policy, capabilities, limits,
published ports, mounts, tmpfs, extra hosts, init, networks and aliases, and labels. And
Compose sees our stacks: ``docker-compose ps`` lists them.

The module ends with the score, ``conformance: N/M projects identical, K fields compared``
(docs/compose.md records the last measured one)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pathlib
import shutil
import subprocess
import uuid
from typing import Any, Iterator

import pytest

import ptest_isolation as iso

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "ComposeCorpus"
COMPOSE = shutil.which("docker-compose")


@dataclasses.dataclass(frozen=True)
class Case:
    """How one corpus project is brought up by both, and what of it is compared."""

    files: tuple[str, ...] = ("compose.yaml",)
    #: docker-compose 1.29.2 reads `deploy` (replicas, resource limits) only with --compatibility.
    compatibility: bool = False
    #: Lines compose v1 cannot read, left out of the copy it is given (run with
    #: --project-directory set to the corpus folder, so paths and `.env` resolve the same).
    #: Each is a newer Compose Specification key; docs/compose.md lists them.
    v1_drop: tuple[str, ...] = ()
    #: Fields not compared, because of what v1_drop removed.
    skip: tuple[str, ...] = ()
    #: Services built from the project: their image is named differently by each (compose v1:
    #: `<project>_<service>`; ptest-isolation: its image cache's id), so the name is not
    #: compared; what the build decides (ENV, LABEL, CMD, WORKDIR of the target stage) is, in
    #: the container's own fields.
    built: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    external_volumes: tuple[str, ...] = ()
    external_networks: tuple[str, ...] = ()
    #: Images the project tags by name (`build` with `image`), removed after the comparison.
    remove_images: tuple[str, ...] = ()


#: Every corpus project. `build-args`' `frontend` has both `build` and `image`: each tool builds
#: it and tags the name when the daemon lacks it, and runs the named image when it has it.
PROJECTS: dict[str, Case] = {
    "anchors": Case(),
    "build-args": Case(built=("frontend", "backend"), remove_images=("example/frontend:test",)),
    "django-celery": Case(built=("web", "celery", "celery-beat")),
    "elastic-single-node": Case(compatibility=True),
    "env-files": Case(),
    "flask-redis": Case(built=("web",)),
    "gitea": Case(),
    "hardened-web": Case(),
    "healthchecks": Case(),
    "keycloak-postgres": Case(v1_drop=("name: keycloak",), env={"KC_DB_NAME": "sso"}),
    # v1 has no `host_ip` in the long port syntax: its copy publishes on every address.
    "long-syntax": Case(v1_drop=("host_ip: 127.0.0.1",), skip=("ports",)),
    "minio-buckets": Case(),
    "multi-network": Case(),
    "named-volumes": Case(external_volumes=("ci-shared-cache",)),
    "nats-cluster": Case(external_networks=("ci-nats-bus",)),
    "override": Case(files=("compose.yaml", "compose.override.yaml")),
    "pihole": Case(),
    # v1 has no `depends_on.<service>.required`; `seed` is not started without its profile anyway.
    "profiles": Case(v1_drop=("required: false",)),
    "profiles-debug": Case(files=("compose.yaml", "compose.override.yaml"), profiles=("debug",)),
    "prometheus-grafana": Case(),
    "replicas": Case(v1_drop=("name: replicas-demo",), compatibility=True),
    "resource-limits": Case(compatibility=True),
    "traefik-whoami": Case(),
    "version2-lists": Case(),
    "webapp-db-cache": Case(),
    "wordpress-db": Case(),
    "worker-queue": Case(),
}

pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose is installed by scripts/python-tools.sh")


def docker_json(*args: str) -> Any:
    return json.loads(subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout)


def container_ids(project: str) -> list[str]:
    """Every container of the project, replicas included."""
    return sorted(subprocess.run(["docker", "ps", "-aq", "--no-trunc", "--filter", f"label=com.docker.compose.project={project}"],
                                 check=True, capture_output=True, text=True).stdout.split())


def containers(project: str) -> dict[str, dict[str, Any]]:
    """Service → the inspect of its first container."""
    ids = container_ids(project)
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
        "init": bool(host.get("Init")),
        "extra_hosts": sorted(host["ExtraHosts"] or []),
        "memory": host["Memory"],
        "nano_cpus": host["NanoCpus"],
        "shm_size": host["ShmSize"],
        "ports": sorted((port, tuple(sorted((b["HostIp"], b["HostPort"] if b["HostPort"] not in ("", "0") else "") for b in bindings or [])))
                        for port, bindings in (host["PortBindings"] or {}).items()),
        # tmpfs mounts, whether asked for as `tmpfs:` (HostConfig.Tmpfs) or as a mount.
        "tmpfs": sorted([path for path in (host.get("Tmpfs") or {})]
                        + [m["Target"] for m in host.get("Mounts") or [] if m["Type"] == "tmpfs"]),
        "mounts": sorted((m["Type"], m["Destination"], m["RW"], (m.get("Name") or m.get("Source") or "").replace(project, "P"))
                         for m in inspect["Mounts"]
                         if m["Type"] != "tmpfs" and not (m["Type"] == "volume" and len(m.get("Name", "")) == 64)),
        "networks": sorted(name.replace(project, "P") for name in networks),
        "aliases": sorted(alias for net in networks.values() for alias in (net.get("Aliases") or [])
                          if alias != inspect["Id"][:12] and alias != inspect["Config"]["Hostname"]),
        "labels": labels,
    }


def compared(inspect: dict[str, Any], project: str, case: Case, service: str) -> dict[str, Any]:
    fields = {key: value for key, value in shape(inspect, project).items() if key not in case.skip}
    if service in case.built:
        fields["image"] = "<built from the project>"
    return fields


def v1_files(name: str, case: Case, scratch: pathlib.Path) -> list[str]:
    """The files docker-compose 1.29.2 is given: the corpus's own, or copies without `v1_drop`."""
    if not case.v1_drop:
        return [str(CORPUS / name / file) for file in case.files]
    copies, dropped = [], 0
    for file in case.files:
        lines = (CORPUS / name / file).read_text().splitlines(keepends=True)
        kept = [line for line in lines if line.strip() not in case.v1_drop]
        dropped += len(lines) - len(kept)
        copy = scratch / file
        copy.write_text("".join(kept))
        copies.append(str(copy))
    assert dropped >= len(case.v1_drop), f"{name}: not every line of {case.v1_drop} is in the files"
    return copies


@pytest.fixture(scope="module")
def score(request: pytest.FixtureRequest) -> Iterator[dict[str, tuple[bool, int]]]:
    """Project → (identical, fields compared); the score is written when the module ends."""
    results: dict[str, tuple[bool, int]] = {}
    yield results
    identical = sum(1 for same, _ in results.values() if same)
    fields = sum(count for _, count in results.values())
    partly = sum(1 for name in results if PROJECTS[name].skip or PROJECTS[name].v1_drop)
    line = (f"conformance: {identical}/{len(results)} projects identical, {fields} fields compared "
            f"({partly} read by compose v1 from a copy without keys it lacks; corpus of "
            f"{sum(1 for p in CORPUS.iterdir() if (p / 'compose.yaml').exists())} projects)")
    # Past the capture of the last test's teardown, as pytest's live logging writes.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        if reporter is not None:
            reporter.write_line("\n" + line)
        else:
            print(line)


def test_every_corpus_project_is_compared() -> None:
    corpus = sorted(p.name for p in CORPUS.iterdir() if (p / "compose.yaml").exists())
    assert sorted(set(corpus) - set(PROJECTS)) == []
    assert len(PROJECTS) >= 20


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_our_stack_is_the_one_docker_compose_brings_up(
        manager: iso.Manager, score: dict[str, tuple[bool, int]], name: str, tmp_path: pathlib.Path) -> None:
    case = PROJECTS[name]
    files = [str(CORPUS / name / file) for file in case.files]
    theirs, ours = f"ptisoref{uuid.uuid4().hex[:8]}", f"ptisoours{uuid.uuid4().hex[:8]}"
    reference_files = v1_files(name, case, tmp_path)

    def docker_compose(project: str) -> list[str]:
        return ([COMPOSE or "docker-compose"] + (["--compatibility"] if case.compatibility else [])
                + ["-p", project, "--project-directory", str(CORPUS / name)]
                + [arg for file in reference_files for arg in ("-f", file)]
                + [arg for profile in case.profiles for arg in ("--profile", profile)])

    compose = docker_compose(theirs)
    environment = {**os.environ, **case.env}
    stack = None
    for volume in case.external_volumes:
        subprocess.run(["docker", "volume", "create", "--label", "ptest-iso.test=1", volume], check=True, capture_output=True)
    for network in case.external_networks:
        subprocess.run(["docker", "network", "rm", network], capture_output=True)
        subprocess.run(["docker", "network", "create", "--label", "ptest-iso.test=1", network], check=True, capture_output=True)
    down = [*compose, "down", "-v", "-t", "0", "--remove-orphans"] + (["--rmi", "local"] if case.built else [])
    score[name] = (False, 0)
    try:
        # One after the other: corpus files publish fixed host ports.
        up = subprocess.run([*compose, "up", "-d"], capture_output=True, text=True, timeout=300, env=environment)
        assert up.returncode == 0, up.stderr
        reference = {service: compared(inspect, theirs, case, service) for service, inspect in containers(theirs).items()}
        stopped = subprocess.run(down, capture_output=True, text=True, timeout=300, env=environment)
        assert stopped.returncode == 0, stopped.stderr

        stack = manager.create(compose=iso.Compose(files=files, project_name=ours, env=case.env, profiles=list(case.profiles)))
        made = containers(ours)
        assert sorted(made) == sorted(reference)
        for service in reference:
            assert compared(made[service], ours, case, service) == reference[service], service
        score[name] = (True, sum(len(fields) for fields in reference.values()))

        # Compose sees the stack we made by its labels.
        listed = subprocess.run([*docker_compose(ours), "ps", "-q"], capture_output=True, text=True, timeout=120,
                                env=environment)
        assert listed.returncode == 0, listed.stderr
        assert sorted(listed.stdout.split()) == container_ids(ours)
    finally:
        subprocess.run(down, capture_output=True, timeout=300, env=environment)
        if stack is not None:
            stack.destroy()
        for volume in case.external_volumes:
            subprocess.run(["docker", "volume", "rm", "-f", volume], capture_output=True)
        for network in case.external_networks:
            subprocess.run(["docker", "network", "rm", network], capture_output=True)
        for image in case.remove_images:
            subprocess.run(["docker", "image", "rm", "-f", image], capture_output=True)
    assert containers(ours) == {}
