"""The cleanup guarantee under faults: a test run killed with SIGKILL, and
its reaper killed too, leave nothing behind (checked with the `docker` CLI
and the filesystem, not through the library)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

import ptest_isolation as iso

from reaper_support import reaper_pids, running, wait_for_no_reaper

IMAGE = "ptest-iso-test/busybox:latest"

SUITE = """
import json, os, pathlib, time
import pytest
import ptest_isolation as iso

def test_holds_environments(iso_manager):
    venvs = [iso_manager.create() for _ in range(3)]
    containers = [iso_manager.create(iso.DockerSpec(image=IMAGE, network=network))
                  for network in ("none", "isolated", "none")] if WITH_DOCKER else []
    pathlib.Path(MARKER).write_text(json.dumps({
        "session": iso_manager.session,
        "venvs": [env.location for env in venvs],
        "containers": [env.location for env in containers],
    }))
    time.sleep(600)
"""


def docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    probe = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True)
    return probe.returncode == 0


def session_leftovers(session: str) -> list[str]:
    """Containers, networks and volumes of `session`, as the docker CLI sees them."""
    found = []
    label = f"label=ptest-iso.session={session}"
    for command in (["ps", "-aq"], ["network", "ls", "-q"], ["volume", "ls", "-q"]):
        listed = subprocess.run(["docker", *command, "--filter", label], capture_output=True, text=True, check=True).stdout
        found += listed.split()
    return found


@pytest.fixture
def killed_run(tmp_path):
    """Starts a pytest run that holds 3 venv and (with a daemon) 3 Docker
    environments, and returns it once they exist."""
    with_docker = docker_answers()
    marker = tmp_path / "ready.json"
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_hold.py").write_text(
        f"IMAGE = {IMAGE!r}\nMARKER = {str(marker)!r}\nWITH_DOCKER = {with_docker!r}\n" + SUITE
    )
    home = tmp_path / "home"
    env = dict(os.environ, PTEST_ISO_HOME=str(home))
    env.pop("PTEST_ISO_SESSION", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(suite)],
        cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"the run ended early:\n{process.stdout.read().decode()}")
        assert time.monotonic() < deadline, "the run made no environments within 180 s"
        time.sleep(0.1)
    time.sleep(0.1)
    held = json.loads(marker.read_text())
    yield process, held, home
    if process.poll() is None:
        process.kill()
    process.wait()


def wait_until_gone(held: dict, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        left = [path for path in held["venvs"] if pathlib.Path(path).exists()]
        if held["containers"]:
            left += session_leftovers(held["session"])
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)


def test_a_killed_test_run_leaves_nothing_within_ten_seconds(killed_run):
    process, held, _ = killed_run
    assert all(pathlib.Path(path).is_dir() for path in held["venvs"])
    if held["containers"]:
        assert len(session_leftovers(held["session"])) >= 3
    assert len(reaper_pids(held["session"])) == 1
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wait_until_gone(held, 10) == []
    # Its last steps (the state database) follow the last removal: a few seconds, not a hang.
    wait_for_no_reaper(held["session"], 5)


def test_a_killed_reaper_and_client_are_cleaned_by_the_next_client(killed_run):
    process, held, home = killed_run
    (reaper,) = reaper_pids(held["session"])
    os.kill(reaper, signal.SIGKILL)
    process.send_signal(signal.SIGKILL)
    process.wait()
    # No reaper of the session is left to reap it, so its environments stay until another comes.
    wait_for_no_reaper(held["session"], 10)
    assert len([path for path in held["venvs"] if pathlib.Path(path).exists()]) == 3, "nothing should have reaped yet"
    # The next client of the same home, in another session: its reaper finds the orphaned session.
    with iso.Manager(home=str(home)) as manager:
        with manager.environment():
            assert wait_until_gone(held, 30) == []


def test_a_temporary_snapshot_goes_with_its_session_when_its_process_is_gone(tmp_path):
    home = str(tmp_path / "home")
    manager = iso.Manager(home=home, session="snapshots-reaped", cleanup=False, reaper_grace_seconds=0.5)
    environment = manager.create()
    environment.snapshot(name="temporary", temporary=True)
    environment.snapshot(name="kept")
    manager.close()  # the session's only client goes: its reaper ends the session
    with iso.Manager(home=home, session="observer", reaper="") as observer:
        deadline = time.monotonic() + 60
        while [snapshot.name for snapshot in observer.snapshots()] != ["kept"]:
            assert time.monotonic() < deadline, f"still there: {observer.snapshots()}"
            time.sleep(0.1)
        observer.delete_snapshot("kept")


class _FakeDaemon:
    """A Docker daemon on a Unix socket that knows one container of `session` and answers its
    removal with `400 Bad Request` (what the real daemon was seen to answer), or with
    `hang_removals` never; it records the requests it got. Only for what a real daemon cannot
    be made to do."""

    def __init__(self, path: str, session: str, hang_removals: bool = False) -> None:
        import http.server
        import socketserver
        import threading

        requests: list[str] = []
        released = threading.Event()
        container = {"Id": "c0ffee" * 10 + "0000", "Names": ["/ptest-iso-fake"], "Image": "fake", "Created": 0,
                     "State": "running", "Status": "Up", "Labels": {"ptest-iso.managed": "true", "ptest-iso.session": session}}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                requests.append(f"GET {self.path}")
                if self.path.endswith("/_ping"):
                    self._reply(200, "OK", {"API-Version": "1.43"})
                elif "/containers/json" in self.path:
                    self._reply(200, [container])
                elif "/volumes" in self.path:
                    self._reply(200, {"Volumes": [], "Warnings": []})
                else:  # networks, volumes, images: none
                    self._reply(200, [])

            def do_DELETE(self) -> None:
                requests.append(f"DELETE {self.path}")
                if hang_removals:
                    released.wait()
                self._reply(400, {"message": "bad request: the fake daemon refuses"})

            def log_message(self, *args: object) -> None:
                pass

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

            def get_request(self):  # type: ignore[no-untyped-def]
                connection, _ = self.socket.accept()
                return connection, ("fake", 0)  # BaseHTTPRequestHandler wants a (host, port)

        self.requests = requests
        self.released = released
        self.server = Server(path, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def wait_for_exit(pids: list[int], seconds: float) -> bool:
    """Waits for the processes to exit by themselves; False when one still runs after `seconds`."""
    deadline = time.monotonic() + seconds
    while any(running(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def greeted_client(sockets: pathlib.Path) -> socket.socket:
    """A connection to the reaper whose socket is in `sockets`, once it listens. The socket's file
    appears at bind, a moment before listen: a connect in between is refused, and clients of the
    library retry as this does."""
    deadline = time.monotonic() + 60
    while True:
        client = socket.socket(socket.AF_UNIX)
        try:
            client.connect(str(next(sockets.glob("*.sock"))))
            break
        except ConnectionRefusedError:
            client.close()
            assert time.monotonic() < deadline, "the reaper's socket never accepted a connection"
            time.sleep(0.01)
    assert client.recv(1) == b"\x01"
    return client


def test_a_reaper_whose_container_removal_gets_a_400_always_exits_by_itself(tmp_path):
    """The reaper seen hanging (1 run in 21) and trapping in dispatch after a 400 had closed
    its own runtime's descriptors. Every round: a reaper started as a client starts it, with a
    descriptor of the client open, over a session whose container removal the daemon refuses."""
    import tempfile

    root = pathlib.Path(tempfile.mkdtemp(prefix="pti-r-", dir="/tmp"))  # socket paths must be short
    daemon = _FakeDaemon(str(root / "docker.sock"), "faulty")
    inherited = open(root / "client-file", "w")
    os.set_inheritable(inherited.fileno(), True)
    binary = _cli_binary()
    env = dict(os.environ, DOCKER_HOST=f"unix://{root}/docker.sock")
    try:
        for round in range(12):
            home = root / f"h{round}"
            subprocess.run(
                [str(binary), "reap", "--home", str(home), "--session", "faulty", "--grace", "0", "--detach"],
                env=env, check=True, pass_fds=(inherited.fileno(),), timeout=60,
            )
            deadline = time.monotonic() + 60
            while not (home / "reapers").is_dir() or not list((home / "reapers").glob("*.sock")):
                assert time.monotonic() < deadline, "the reaper never listened"
                time.sleep(0.02)
            (pid,) = reaper_pids("faulty")
            # What the client had open did not reach the reaper. Whether dispatch's epoll comes
            # before or after the session lock depends on when the runtime first needs it, so the
            # order says nothing; the reaper closing its runtime's descriptors shows as the trap
            # the rounds below wait out (it never exits by itself).
            held = {int(fd): os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            assert str(root / "client-file") not in held.values(), held
            assert any(target.endswith(".lock") for target in held.values()), held
            client = greeted_client(home / "reapers")
            removals = sum(request.startswith("DELETE") for request in daemon.requests)
            client.close()  # the last client leaves: the reaper removes the session
            assert wait_for_exit([pid], 120), f"round {round}: the reaper did not exit by itself"
            assert sum(request.startswith("DELETE") for request in daemon.requests) > removals
            # The refusal is in its log, kept because something could not be removed.
            (log,) = (home / "reapers").glob("*.log")
            assert "bad request: the fake daemon refuses" in log.read_text()
    finally:
        inherited.close()
        daemon.close()
        shutil.rmtree(root, ignore_errors=True)


def test_a_reaper_whose_removal_hangs_exits_at_its_deadline_and_another_takes_over(tmp_path):
    import tempfile

    binary = _cli_binary()
    root = pathlib.Path(tempfile.mkdtemp(prefix="pti-w-", dir="/tmp"))
    daemon = _FakeDaemon(str(root / "docker.sock"), "stuck", hang_removals=True)
    env = dict(os.environ, DOCKER_HOST=f"unix://{root}/docker.sock")
    home = root / "home"
    start = [str(binary), "reap", "--home", str(home), "--session", "stuck", "--grace", "0", "--detach"]

    def serving_reaper() -> int:
        deadline = time.monotonic() + 60
        while True:
            serving = reaper_pids("stuck")
            if serving and list((home / "reapers").glob("*.sock")):
                return serving[0]
            assert time.monotonic() < deadline, "no reaper listened"
            time.sleep(0.02)

    try:
        subprocess.run([*start, "--removal-deadline", "1"], env=env, check=True, timeout=60)
        pid = serving_reaper()
        greeted_client(home / "reapers").close()
        assert wait_for_exit([pid], 120), "the stuck reaper did not exit at its deadline"
        assert any(request.startswith("DELETE") for request in daemon.requests)
        (log,) = (home / "reapers").glob("*.log")
        assert "exiting so another reaper takes over" in log.read_text()
        # Its lock went with it: the next reaper of the session serves it.
        subprocess.run(start, env=env, check=True, timeout=60)
        assert serving_reaper() != pid
    finally:
        for pid in reaper_pids("stuck"):
            os.kill(pid, signal.SIGKILL)
        daemon.close()
        shutil.rmtree(root, ignore_errors=True)


def _cli_binary() -> pathlib.Path:
    """The ptest-iso beside the library the package loaded, as `ptest-iso` on PATH runs it."""
    from ptest_isolation._cli import binary

    found = binary()
    assert found.exists(), f"no ptest-iso beside the library at {found}: build it (swift build)"
    return found
