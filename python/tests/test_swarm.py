"""The swarm engine from Python, against the real swarm of namespaced dockerd nodes that
scripts/swarm-cluster.sh makes (scripts/test.sh brings it up): the settings' one switch sends
the same DockerSpec to the swarm, and a killed run's environments are reaped on every node."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import ptest_isolation as iso

IMAGE = "ptest-iso-test/busybox:latest"
CLUSTER = pathlib.Path(os.environ.get("PTEST_ISO_SWARM_DIR", "/tmp/ptest-iso-swarm"))
MANAGER = ["-H", "tcp://10.215.0.11:2376", "--tlsverify", "--tlscacert", str(CLUSTER / "ca.pem"),
           "--tlscert", str(CLUSTER / "cert.pem"), "--tlskey", str(CLUSTER / "key.pem")]
SETTINGS = {
    "default_container_engine": "swarm",
    "swarm": {"manager": "tcp://10.215.0.11:2376", "tls_cert_path": str(CLUSTER)},
}


def docker(*args: str, host: list[str] = MANAGER) -> str:
    return subprocess.run(["docker", *host, *args], capture_output=True, text=True, check=True).stdout


def node(n: int) -> list[str]:
    return ["-H", f"unix://{CLUSTER}/node{n}/docker.sock"]


@pytest.fixture(scope="module", autouse=True)
def swarm_up() -> None:
    state = subprocess.run(["docker", *MANAGER, "info", "--format", "{{.Swarm.LocalNodeState}}"],
                           capture_output=True, text=True)
    assert state.stdout.strip() == "active", "the test swarm is not up: run scripts/swarm-cluster.sh up"


def leftovers(session: str) -> list[str]:
    label = f"label=ptest-iso.session={session}"
    found = docker("service", "ls", "-q", "--filter", label).split()
    found += docker("secret", "ls", "-q", "--filter", label).split()
    for n in (1, 2, 3):
        found += docker("ps", "-aq", "--filter", label, host=node(n)).split()
    return found


def test_the_switch_sends_a_docker_spec_to_the_swarm_with_its_placement(tmp_path: pathlib.Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "engines.json").write_text(json.dumps(SETTINGS))
    with iso.Manager(str(home)) as manager:
        assert manager.choose_engine(iso.DockerSpec(image=IMAGE))[0] == "swarm"
        env = manager.create(iso.DockerSpec(image=IMAGE, placement=["node.labels.ptest-iso.node==node2"]))
        assert env.engine == "swarm" and env.details["node"] == "node2"
        assert env.run(["echo", "hello"]).stdout == "hello\n"
        with pytest.raises(iso.InvalidSpec) as refused:
            manager.create(iso.DockerSpec(image=IMAGE, placement=["node.role"]))
        assert refused.value.details["field"] == "placement[0]"
        session = manager.session
        env.destroy()
    deadline = time.monotonic() + 20
    while leftovers(session) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert leftovers(session) == []


def test_bad_engine_settings_name_the_field(tmp_path: pathlib.Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "engines.json").write_text(json.dumps({"swarm": {"manager": "unix:///x", "nodes": {}}}))
    with pytest.raises(iso.InvalidSpec) as refused:
        iso.Manager(str(home))
    assert refused.value.details["field"] == "swarm.nodes"
    assert "engines.json" in str(refused.value)


SUITE = """
import json, pathlib, time
import ptest_isolation as iso

def test_holds_swarm_environments(iso_manager):
    envs = [iso_manager.create(iso.DockerSpec(image=IMAGE, network=network))
            for network in (None, "isolated", None, None)]
    pathlib.Path(MARKER).write_text(json.dumps({
        "session": iso_manager.session,
        "engines": [env.engine for env in envs],
        "nodes": [env.details["node"] for env in envs],
    }))
    time.sleep(600)
"""


def test_a_killed_run_on_the_swarm_is_reaped_on_every_node(tmp_path: pathlib.Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "engines.json").write_text(json.dumps(SETTINGS))
    marker = tmp_path / "ready.json"
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_hold.py").write_text(f"IMAGE = {IMAGE!r}\nMARKER = {str(marker)!r}\n" + SUITE)
    env = dict(os.environ, PTEST_ISO_HOME=str(home))
    env.pop("PTEST_ISO_SESSION", None)
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(suite)],
                               cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            if process.poll() is not None:
                pytest.fail(f"the run ended early:\n{process.stdout.read().decode() if process.stdout else ''}")
            assert time.monotonic() < deadline, "the run made no environments within 180 s"
            time.sleep(0.1)
        time.sleep(0.1)
        held = json.loads(marker.read_text())
        assert held["engines"] == ["swarm"] * 4
        assert len(set(held["nodes"])) >= 2, held["nodes"]
        assert len(leftovers(held["session"])) >= 8  # 4 services and their 4 containers
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while leftovers(held["session"]) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert leftovers(held["session"]) == []
        networks = docker("network", "ls", "-q", "--filter", f"label=ptest-iso.session={held['session']}").split()
        deadline = time.monotonic() + 10
        while networks and time.monotonic() < deadline:
            time.sleep(0.25)
            networks = docker("network", "ls", "-q", "--filter", f"label=ptest-iso.session={held['session']}").split()
        assert networks == []
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
