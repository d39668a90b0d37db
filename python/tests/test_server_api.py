"""`ptest-iso serve` end to end: the real binary, the real Docker daemon, on loopback."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import threading
import time
from typing import Any

from server_support import ALICE, BOB, Server

IMAGE = "ptest-iso-test/busybox:latest"
OWNER_LABEL = "ptest-iso-serve.owner"


def containers_of(owner: str) -> list[str]:
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={OWNER_LABEL}={owner}"],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def wait_gone(owner: str, seconds: float = 60) -> list[str]:
    """Polls for the owner's containers to be gone (a positive signal), bounded."""
    deadline = time.monotonic() + seconds
    left = containers_of(owner)
    while left and time.monotonic() < deadline:
        time.sleep(0.25)
        left = containers_of(owner)
    return left


def test_call_protocol_with_owners(tmp_path: pathlib.Path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice-api"}, {"token": BOB, "owner": "bob-api"}])
    try:
        status, env = server.call("create", {"spec": {"engine": "docker", "image": IMAGE}})
        assert status == 200, env
        assert env["labels"][OWNER_LABEL] == "alice-api"
        status, out = server.call("run", {"id": env["id"], "argv": ["echo", "hello"]})
        assert (status, out["stdout"], out["exit_code"]) == (200, "hello\n", 0)
        # Another owner neither sees nor reaches it.
        status, error = server.call("get", {"id": env["id"]}, token=BOB)
        assert (status, error["code"], error["details"]["field"]) == (404, "notFound", "id")
        status, listing = server.call("list", {}, token=BOB)
        assert (status, listing["environments"]) == (200, [])
        status, listing = server.call("list", {})
        assert [e["id"] for e in listing["environments"]] == [env["id"]]
        # A spec error names the field, and nothing is created.
        status, error = server.call("create", {"spec": {"engine": "docker", "image": IMAGE, "memroy": 1}})
        assert (status, error["code"]) == (400, "invalidSpec")
        assert len(containers_of("alice-api")) == 1
    finally:
        assert server.stop() == 0
    # SIGTERM without --persist: the server's environments are destroyed before it exits.
    assert containers_of("alice-api") == []


def test_sigterm_finishes_a_run_under_way(tmp_path: pathlib.Path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice-term"}])
    status, env = server.call("create", {"spec": {"engine": "docker", "image": IMAGE}})
    assert status == 200, env
    result: dict[str, Any] = {}
    # The run prints once it has begun, then waits on a file this test creates after SIGTERM.
    marker = "/tmp/go"

    def slow_run() -> None:
        result["reply"] = server.call("run", {"id": env["id"], "argv": [
            "sh", "-c", f"echo started > /tmp/started; while [ ! -e {marker} ]; do sleep 0.05; done; echo done"]})

    thread = threading.Thread(target=slow_run)
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, probe = server.call("run", {"id": env["id"], "argv": ["cat", "/tmp/started"]})
        if probe.get("exit_code") == 0:
            break
        time.sleep(0.1)
    server.process.send_signal(signal.SIGTERM)
    # Let the run end (it would never end otherwise); the server is draining, so exec through docker.
    container = containers_of("alice-term")[0]
    subprocess.run(["docker", "exec", container, "touch", marker], check=True)
    thread.join(timeout=120)
    status, out = result["reply"]
    assert (status, out["stdout"], out["exit_code"]) == (200, "done\n", 0)
    assert server.process.wait(timeout=60) == 0
    assert containers_of("alice-term") == []


def test_sigkill_leaves_nothing_after_the_reaper(tmp_path: pathlib.Path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice-kill"}])
    status, env = server.call("create", {"spec": {"engine": "docker", "image": IMAGE}})
    assert status == 200, env
    assert len(containers_of("alice-kill")) == 1
    server.stop(signal.SIGKILL)
    assert wait_gone("alice-kill") == []


def test_persist_serves_environments_after_a_restart(tmp_path: pathlib.Path) -> None:
    tokens = [{"token": ALICE, "owner": "alice-persist"}]
    server = Server(tmp_path, "--persist", tokens=tokens)
    status, env = server.call("create", {"spec": {"engine": "docker", "image": IMAGE}})
    assert status == 200, env
    server.stop(signal.SIGKILL)
    again = Server(tmp_path, "--persist", tokens=tokens)
    try:
        status, found = again.call("get", {"id": env["id"]})
        assert (status, found["id"]) == (200, env["id"])
        status, out = again.call("run", {"id": env["id"], "argv": ["echo", "back"]})
        assert (status, out["stdout"]) == (200, "back\n")
        status, _ = again.call("destroy", {"id": env["id"]})
        assert status == 200
    finally:
        again.stop()
    assert containers_of("alice-persist") == []


def _http(server: Server, method: str, path: str, body: Any = None, token: str = ALICE) -> tuple[int, dict[str, Any]]:
    import json
    import urllib.error
    import urllib.request
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, method=method, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_env_instance_api(tmp_path: pathlib.Path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice-seed"}, {"token": BOB, "owner": "bob-seed"}])
    try:
        status, reply = _http(server, "POST", "/env-instance", {
            "name": "seed", "artifacts": [{"type": "image", "content": IMAGE}],
            "deployConfig": {"cpu": "1C", "memory": "256Mi", "ttl": "1h"}})
        assert status == 200, reply
        data = reply["data"]
        assert (reply["success"], reply["code"], data["status"], data["owner"], data["ttl"]) == (
            True, 0, "Running", "alice-seed", "3600s")
        container = containers_of("alice-seed")[0]
        limits = subprocess.run(["docker", "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", container],
                                check=True, capture_output=True, text=True).stdout.split()
        assert limits == [str(256 << 20), str(10**9)]
        status, got = _http(server, "GET", f"/env-instance/{data['id']}")
        assert (status, got["data"]["id"]) == (200, data["id"])
        status, listing = _http(server, "GET", "/env-instance")
        assert [item["id"] for item in listing["data"]] == [data["id"]]
        # The list's filters: the seed's status words, engine, name, labels; bad ones are 400.
        for query, expected in [("status=Running", [data["id"]]), ("status=Failed", []), ("engine=docker", [data["id"]]),
                                ("engine=virtualenv", []), ("name=seed", [data["id"]]), ("name=other", []),
                                (f"label=ptest-iso-serve.owner%3Dalice-seed", [data["id"]]), ("status=Running&engine=virtualenv", [])]:
            status, listing = _http(server, "GET", f"/env-instance?{query}")
            assert (status, [item["id"] for item in listing["data"]]) == (200, expected), query
        status, error = _http(server, "GET", "/env-instance?colour=blue")
        assert (status, error["details"]["field"]) == (400, "colour")
        status, error = _http(server, "GET", "/env-instance?status=Sleeping")
        assert (status, error["details"]["field"]) == (400, "status")
        status, error = _http(server, "GET", f"/env-instance/{data['id']}", token=BOB)
        # Errors come in the seed's envelope on /env-instance: success false, the status as code.
        assert (status, error["success"], error["code"], error["error"], error["data"]) == (404, False, 404, "notFound", None)
        status, error = _http(server, "GET", "/env-instance", token="not-a-token-of-anyone-here")
        assert (status, error["success"], error["error"]) == (401, False, "unauthorized")
        # A compose file reaches the server's machine: only a server trusting its owners takes one.
        status, error = _http(server, "POST", "/env-instance", {"deployConfig": {"composeFile": "services: {}"}})
        assert (status, error["error"], error["details"]["field"]) == (403, "forbidden", "deployConfig.composeFile")
        status, error = _http(server, "POST", "/env-instance", {"artifacts": [{"type": "image", "content": IMAGE}],
                                                               "deployConfig": {"memory": "lots"}})
        assert (status, error["details"]["field"]) == (400, "deployConfig.memory")
        status, error = _http(server, "POST", "/env-instance", {"nmae": "typo"})
        assert (status, error["details"]["field"]) == (400, "nmae")
        # A spec must be an object, names and versions strings, and a name beside a spec (which
        # names itself) is refused rather than dropped: none of these creates anything.
        for body, field in [({"spec": None}, "spec"), ({"spec": [1]}, "spec"),
                            ({"spec": {"engine": "docker", "image": IMAGE}, "name": ["x"]}, "name"),
                            ({"spec": {"engine": "docker", "image": IMAGE}, "name": "seed"}, "name"),
                            ({"spec": {"engine": "docker", "image": IMAGE}, "version": "1"}, "version"),
                            ({"name": "", "artifacts": [{"type": "image", "content": IMAGE}]}, "name"),
                            ({"version": 2, "artifacts": [{"type": "image", "content": IMAGE}]}, "version")]:
            status, error = _http(server, "POST", "/env-instance", body)
            assert (status, error["details"]["field"]) == (400, field), body
        assert len(containers_of("alice-seed")) == 1
        status, _ = _http(server, "DELETE", f"/env-instance/{data['id']}")
        assert status == 200
        assert wait_gone("alice-seed") == []
    finally:
        assert server.stop() == 0


def test_env_instance_from_a_compose_file_on_a_trusting_server(tmp_path: pathlib.Path) -> None:
    server = Server(tmp_path, "--allow-host-access", tokens=[{"token": ALICE, "owner": "alice-stack"}])
    compose = f"""
services:
  web:
    image: {IMAGE}
    command: ["sh", "-c", "echo web up; exec sleep 600"]
  worker:
    image: {IMAGE}
    command: ["sleep", "600"]
"""
    try:
        status, reply = _http(server, "POST", "/env-instance", {"name": "stack", "deployConfig": {"composeFile": compose, "ttl": "10m"}})
        assert status == 200, reply
        data = reply["data"]
        assert (data["status"], data["owner"], data["ttl"]) == ("Running", "alice-stack", "600s")
        folders = list((server.home / "serve-compose").iterdir())
        assert len(folders) == 1 and (folders[0] / "compose.yaml").read_text() == compose
        assert len(server.containers()) == 2
        status, error = _http(server, "POST", "/env-instance", {"deployConfig": {"composeFile": compose, "cpu": "1C"}})
        assert (status, error["details"]["field"]) == (400, "deployConfig.cpu")
        status, error = _http(server, "POST", "/env-instance", {"deployConfig": {"composeFile": "services: [oops"}})
        assert status == 400 and error["success"] is False, error
        assert len(list((server.home / "serve-compose").iterdir())) == 1, "a refused file was kept"
        status, _ = _http(server, "DELETE", f"/env-instance/{data['id']}")
        assert status == 200
        assert list((server.home / "serve-compose").iterdir()) == []
        assert server.containers() == []
    finally:
        assert server.stop() == 0
    assert server.containers() == []
