"""Compose stacks from Python and the CLI, against the real daemon: one environment per
stack, services by name, ``ID/SERVICE`` addresses, errors with their field, nothing left."""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import urllib.request

import pytest

import ptest_isolation as iso
from ptest_isolation import _cli

from compose_support import BUSYBOX, project_resources


STACK = f"""
services:
  store:
    image: {BUSYBOX}
    command: ["sh", "-c", "mkdir -p /srv && echo stored > /srv/item && exec httpd -f -p 9000 -h /srv"]
    ports: ["127.0.0.1::9000"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9000/item"]
      interval: 200ms
      retries: 100
  front:
    image: {BUSYBOX}
    command: ["sh", "-c", "mkdir -p /www && echo $$GREETING > /www/index.html && exec httpd -f -p 8080 -h /www"]
    environment:
      GREETING: ${{GREETING:-hello}}
    ports: ["127.0.0.1::8080"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 200ms
      retries: 100
    depends_on: [store]
    labels:
      ptest-iso.main: "true"
"""


def get(port: int, path: str = "/") -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return answer.read().decode()


@pytest.fixture
def compose_file(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "docker-compose.yml"
    path.write_text(STACK)
    return path


def test_a_stack_is_one_environment_with_its_services_by_name(manager: iso.Manager, compose_file: pathlib.Path) -> None:
    stack = manager.create(compose=iso.Compose(files=[str(compose_file)], env={"GREETING": "bonjour"}))
    project = stack.details["compose.project"]
    try:
        assert stack.services == ["store", "front"]
        assert stack.details["compose.main"] == "front"
        assert get(stack.ports[8080]) == "bonjour\n"
        assert get(stack.service_ports("store")[9000], "/item") == "stored\n"
        with pytest.raises(KeyError, match="services: store, front"):
            stack.service_ports("cache")

        # One service as an environment of its own for commands and files, addressed ID/SERVICE.
        store = stack.service("store")
        assert store.id == f"{stack.id}/store"
        assert store.ports == {9000: stack.service_ports("store")[9000]}
        assert store.run(["cat", "/srv/item"]).stdout == "stored\n"
        assert stack.run(["cat", "/www/index.html"]).stdout == "bonjour\n"
        with pytest.raises(iso.InvalidSpec) as refused:
            store.destroy()
        assert refused.value.field == "id"
        assert len(project_resources(project)) == 3  # two containers and the default network
    finally:
        stack.destroy()
    assert project_resources(project) == []


def test_compose_is_accepted_as_a_file_a_list_or_a_dict_and_typos_name_their_field(
        manager: iso.Manager, compose_file: pathlib.Path) -> None:
    for given in (str(compose_file), [compose_file], {"files": str(compose_file), "services": ["store"]}):
        spec = iso.specs.spec_from_fields({"compose": given})
        assert isinstance(spec, iso.DockerSpec)
        assert spec.to_request()["compose"]["files"] == [str(compose_file)]
    with pytest.raises(iso.InvalidSpec) as typo:
        iso.specs.spec_from_fields({"compose": {"files": [str(compose_file)], "service": ["store"]}})
    assert typo.value.field == "compose.service"
    assert "did you mean 'services'" in str(typo.value)
    with pytest.raises(iso.InvalidSpec) as together:
        manager.create(compose=str(compose_file), image=BUSYBOX)
    assert together.value.field == "image"


def test_an_unknown_key_in_the_file_names_the_file_and_line(manager: iso.Manager, tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(f"services:\n  web:\n    image: {BUSYBOX}\n    prots: ['80']\n")
    with pytest.raises(iso.InvalidSpec) as error:
        manager.create(compose=str(bad))
    assert error.value.field == "compose"
    assert f"{bad}:4: services.web.prots: unknown key 'prots'; did you mean 'ports'?" in str(error.value)
    assert manager.list() == [] or all(env.status != "ready" for env in manager.list())


def test_the_cli_creates_runs_in_a_service_and_removes_a_stack(tmp_path: pathlib.Path, compose_file: pathlib.Path) -> None:
    home = str(tmp_path / "cli-home")
    cli = str(_cli.binary())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # Options before the command's own arguments (after `--`).
        return subprocess.run([cli, args[0], "--home", home, *args[1:]], capture_output=True, text=True, timeout=120)

    created = run("create", "--compose", str(compose_file), "--compose-service", "store", "--json")
    assert created.returncode == 0, created.stderr
    record = json.loads(created.stdout)
    project = record["details"]["compose.project"]
    try:
        assert record["details"]["compose.services"] == "store"
        inside = run("run", f"{record['id']}/store", "--", "cat", "/srv/item")
        assert (inside.returncode, inside.stdout) == (0, "stored\n"), inside.stderr
        wrong = run("rm", f"{record['id']}/store")
        assert wrong.returncode != 0 and "takes the environment's id" in wrong.stderr
        host, port = "127.0.0.1", int(record["details"]["port.9000"])
        with socket.create_connection((host, port), timeout=10):
            pass
    finally:
        removed = run("rm", record["id"])
        assert removed.returncode == 0, removed.stderr
    assert project_resources(project) == []


def test_the_cli_lists_a_stack_with_its_services_and_prints_one_services_log(tmp_path: pathlib.Path,
                                                                             compose_file: pathlib.Path) -> None:
    home = str(tmp_path / "cli-home")
    cli = str(_cli.binary())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([cli, args[0], "--home", home, *args[1:]], capture_output=True, text=True, timeout=120)

    created = run("create", "--compose", str(compose_file), "--json")
    assert created.returncode == 0, created.stderr
    record = json.loads(created.stdout)
    stack, details = record["id"], record["details"]
    try:
        listed = run("ls")
        assert listed.returncode == 0, listed.stderr
        lines = listed.stdout.splitlines()
        assert lines[0].split() == ["ID", "NAME", "ENGINE", "IMAGE", "CREATED", "STATUS", "PORTS", "SESSION", "SHARED",
                                    "LOCATION"]
        # Ids shortened to 12 characters, as docker ps shows them.
        row = next(index for index, line in enumerate(lines) if line.startswith(stack[:12]))
        # Each service under its stack, in start order, with its container and published port.
        services = [line.split() for line in lines[row + 1:row + 3]]
        assert [words[:2] for words in services] == [["└", "store"], ["└", "front"]]
        assert services[1][2] == "(main)"
        assert f"{details['port.store.9000']}->9000" in lines[row + 1]
        assert details["container.front"][:12] in lines[row + 2]

        # What the store service's own process printed; the main service's log is the default.
        written = run("run", f"{stack}/store", "--", "sh", "-c", "echo from-store > /proc/1/fd/1")
        assert written.returncode == 0, written.stderr
        store_log = run("logs", stack, "--service", "store")
        assert store_log.returncode == 0 and "from-store" in store_log.stdout, store_log.stderr
        assert "from-store" not in run("logs", stack).stdout
        unknown = run("logs", stack, "--service", "nope")
        assert unknown.returncode != 0 and "nope" in unknown.stderr
        both = run("logs", f"{stack}/store", "--service", "store")
        assert both.returncode == 64 and "--service conflicts" in both.stderr
    finally:
        removed = run("rm", stack)
        assert removed.returncode == 0, removed.stderr
    assert project_resources(details["compose.project"]) == []


SNAPSHOT_STACK = f"""
services:
  store:
    image: {BUSYBOX}
    command: ["httpd", "-f", "-p", "9000", "-h", "/data"]
    ports: ["127.0.0.1::9000"]
    volumes: ["data:/data"]
  front:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    depends_on: [store]
    labels:
      ptest-iso.main: "true"
volumes:
  data: {{}}
"""


def snapshot_leftovers(snapshot_id: str) -> list[str]:
    """Images and volumes the daemon still holds for the snapshot, by its label and its tags."""
    found = []
    for command in (["images", "-aq", "--filter", f"label=ptest-iso.snapshot={snapshot_id}"],
                    ["images", "-q", "--filter", f"reference=ptest-iso-snapshot:{snapshot_id}-*"],
                    ["volume", "ls", "-q", "--filter", f"label=ptest-iso.snapshot={snapshot_id}"]):
        found += subprocess.run(["docker", *command], check=True, capture_output=True, text=True).stdout.split()
    return found


def test_a_stack_snapshot_restores_as_a_new_stack_with_its_volume(manager: iso.Manager, tmp_path: pathlib.Path) -> None:
    compose_file = tmp_path / "docker-compose.yml"
    compose_file.write_text(SNAPSHOT_STACK)
    stack = manager.create(compose=iso.Compose(files=[str(compose_file)]))
    stack.service("store").run("echo kept > /data/item && echo layer > /marker", check=True)

    snapshot = stack.snapshot("stack-kept")
    stack.service("store").run("echo changed > /data/item", check=True)
    restored = manager.restore(snapshot)
    try:
        assert restored.id != stack.id
        assert restored.details["compose.project"] == f"ptest-iso-{restored.id}"
        assert restored.services == ["store", "front"]
        assert get(restored.service_ports("store")[9000], "/item") == "kept\n"
        assert restored.service("store").run(["cat", "/marker"]).stdout == "layer\n"
        assert get(stack.service_ports("store")[9000], "/item") == "changed\n"
    finally:
        restored.destroy()
        stack.destroy()
        manager.delete_snapshot(snapshot)
    assert snapshot_leftovers(snapshot.id) == []


def test_the_cli_snapshots_and_restores_a_stack(tmp_path: pathlib.Path) -> None:
    compose_file = tmp_path / "docker-compose.yml"
    compose_file.write_text(SNAPSHOT_STACK)
    home = str(tmp_path / "cli-home")
    cli = str(_cli.binary())

    def run(command: str, *args: str) -> subprocess.CompletedProcess[str]:
        # The subcommand's words, then the options, then its own arguments.
        return subprocess.run([cli, *command.split(), "--home", home, *args], capture_output=True, text=True, timeout=300)

    created = run("create", "--compose", str(compose_file), "--json")
    assert created.returncode == 0, created.stderr
    stack = json.loads(created.stdout)["id"]
    ids = [stack]
    snapshot_id = ""
    try:
        wrote = run("run", f"{stack}/store", "--", "sh", "-c", "echo from-cli > /data/item")
        assert wrote.returncode == 0, wrote.stderr
        taken = run("snapshot create", stack, "--name", "cli-stack", "--json")
        assert taken.returncode == 0, taken.stderr
        snapshot_id = json.loads(taken.stdout)["id"]
        restored = run("snapshot restore", "cli-stack")
        assert restored.returncode == 0, restored.stderr
        ids.append(restored.stdout.strip())
        read = run("run", f"{ids[1]}/store", "--", "cat", "/data/item")
        assert (read.returncode, read.stdout) == (0, "from-cli\n"), read.stderr
    finally:
        for environment in ids:
            assert run("rm", environment).returncode == 0
        removed = run("snapshot rm", "cli-stack")
        assert removed.returncode == 0, removed.stderr
    assert snapshot_id and snapshot_leftovers(snapshot_id) == []
