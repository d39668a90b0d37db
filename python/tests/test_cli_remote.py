"""The CLI against a real `ptest-iso serve` with --url: the same commands and output, the
server's errors as the CLI's exit codes, and local-only commands refused, never run here."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

from ptest_isolation import _cli
from server_support import ALICE, Server

BUSYBOX = "ptest-iso-test/busybox:latest"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    server = Server(tmp_path_factory.mktemp("cli-remote"))
    yield server
    assert server.stop() == 0
    assert server.containers() == []


def cli(server: Server, *args: str, token: str = ALICE, url: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PTEST_ISO_")}
    environment.update(PTEST_ISO_URL=url or server.url, PTEST_ISO_TOKEN=token)
    return subprocess.run([str(_cli.binary()), *args], capture_output=True, text=True, timeout=300, env=environment)


def test_create_ls_run_inspect_logs_rm_through_the_server(server: Server, tmp_path: pathlib.Path) -> None:
    made = cli(server, "create", "--image", BUSYBOX, "--command", '["sh", "-c", "echo booted; exec sleep 600"]', "-q")
    assert made.returncode == 0, made.stderr
    container = made.stdout.strip()
    venv = cli(server, "create", "-q")
    assert venv.returncode == 0, venv.stderr
    venv_id = venv.stdout.strip()
    listed = cli(server, "ls", "-q")
    assert sorted(listed.stdout.split()) == sorted([container, venv_id])
    # Another machine's view: a local ls of an empty home knows nothing of them.
    local = subprocess.run([str(_cli.binary()), "ls", "-q", "--home", str(tmp_path / "local")], capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if not k.startswith("PTEST_ISO_")})
    assert local.returncode == 0 and local.stdout == ""
    ran = cli(server, "run", container[:10], "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (ran.returncode, ran.stdout, ran.stderr) == (3, "out\n", "err\n")
    python = cli(server, "run", venv_id, "--", "python", "-c", "import sys; print(sys.prefix != sys.base_prefix)")
    assert (python.returncode, python.stdout) == (0, "True\n")
    inspected = cli(server, "inspect", container)
    assert "ptest-iso-serve.owner" in inspected.stdout and container in inspected.stdout
    assert "booted" in cli(server, "logs", container).stdout
    removed = cli(server, "rm", container, venv_id)
    assert removed.returncode == 0 and removed.stdout.split() == [container, venv_id]
    assert cli(server, "ls", "-q").stdout == ""
    gone = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=ptest-iso.environment={container}"],
                          capture_output=True, text=True, check=True)
    assert gone.stdout == ""


def test_errors_and_refusals_are_plain_with_their_exit_codes(server: Server) -> None:
    unauthorized = cli(server, "ls", token="not-a-token-of-this-server")
    assert unauthorized.returncode == 8 and "token" in unauthorized.stderr
    unreachable = cli(server, "ls", url="http://127.0.0.1:1")
    assert unreachable.returncode == 4 and "127.0.0.1:1" in unreachable.stderr
    local_only = cli(server, "gc")
    assert local_only.returncode == 8 and "leave out --url" in local_only.stderr
    missing = cli(server, "inspect", "env-000000000000")
    assert missing.returncode == 3 and "env-000000000000" in missing.stderr
    bind = cli(server, "create", "--image", BUSYBOX, "-v", "/etc:/host-etc")
    assert bind.returncode != 0 and "volumes[0].source" in bind.stderr
