"""The ready-made services from the CLI: the same specs as ``ptest_isolation.services``
(both come from the core's catalogue: Python through the C ABI's ``service_spec``, the CLI
directly), a Redis created with ``create --service`` answering at the URL it prints, and bad
service input refused naming the option."""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import urllib.parse
from typing import Any

import pytest

import ptest_isolation as iso
from ptest_isolation import _cli, _native, services



def _set_fields(request: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in request.items() if value is not None and value is not False and value != [] and value != {}}


def cli(home: str, *args: str) -> subprocess.CompletedProcess[str]:
    # `services` keeps no state: it takes no --home.
    state = [] if args[0] == "services" else ["--home", home]
    return subprocess.run([str(_cli.binary()), args[0], *state, *args[1:]], capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize(("name", "python_service", "options"), [
    ("postgres", services.Postgres(dbname="app", password="s3cret"), ["dbname=app", "password=s3cret"]),
    ("postgres", services.Postgres(env={"TZ": "UTC"}, ready_timeout_seconds=90), ["ready_timeout_seconds=90", "--env", "TZ=UTC"]),
    ("redis", services.Redis(password="pw"), ["password=pw"]),
    ("redis", services.Redis(), []),
    ("http", services.HTTPService(port=9000, path="/health", status=204), ["port=9000", "path=/health", "status=204"]),
    ("http", services.HTTPService(command=["sh", "-c", "httpd -f -p 8080"]), ["command=httpd -f -p 8080"]),
    ("http", services.HTTPService.static(pathlib.Path(__file__).parent), [f"directory={pathlib.Path(__file__).parent}"]),
])
def test_the_cli_and_python_build_the_same_service_specs(tmp_path: pathlib.Path, name: str, python_service: services.Service,
                                                          options: list[str]) -> None:
    arguments = []
    for option in options:
        arguments += [option] if option.startswith("--") or arguments[-1:] == ["--env"] else ["--set", option]
    printed = cli(str(tmp_path), "services", name, "--spec", *arguments)
    assert printed.returncode == 0, printed.stderr
    core = json.loads(printed.stdout)
    # The whole spec, fields left at their empty defaults aside (Python's request omits some);
    # neither names the engine: the image makes it a container spec, which the engine settings place.
    assert _set_fields(python_service.spec().to_request()) == _set_fields(core)


def test_python_asks_the_core_for_the_spec_and_the_url() -> None:
    answer = _native.call(None, "service_spec", {"service": "redis", "options": {"password": "pw"}})
    assert services.Redis(password="pw").spec().to_request()["wait_for"] == answer["spec"]["wait_for"]
    assert answer["container_port"] == services.Redis.port_in_container
    listed = {entry["name"]: entry for entry in services.catalogue()}
    assert listed["postgres"]["container_port"] == services.Postgres.port_in_container
    assert listed["postgres"]["defaults"]["user"] == services.Postgres().user
    with pytest.raises(iso.InvalidSpec, match="did you mean 'password'") as bad:
        _native.call(None, "service_spec", {"service": "redis", "options": {"pasword": "pw"}})
    assert bad.value.field == "options.pasword"
    with pytest.raises(TypeError, match="env: the service sets them"):
        services.Postgres().spec(env={"X": "1"})  # would drop POSTGRES_*; the option is Postgres(env=...)
    assert services.Postgres(env={"X": "1"}).spec(labels={"a": "b"}).env["X"] == "1"
    with pytest.raises(iso.InvalidSpec) as port:
        services.HTTPService(port=0).spec()
    assert port.value.field == "options.port"


def test_create_service_prints_a_url_that_answers_and_rm_removes_it(tmp_path: pathlib.Path) -> None:
    home = str(tmp_path)
    created = cli(home, "create", "--service", "redis", "--set", "password=open sesame")
    assert created.returncode == 0, created.stderr
    environment, url = created.stdout.split()
    try:
        parsed = urllib.parse.urlparse(url)
        assert (parsed.scheme, parsed.hostname) == ("redis", "127.0.0.1")
        assert urllib.parse.unquote(parsed.password or "") == "open sesame"
        with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as connection:
            connection.sendall(b"*2\r\n$4\r\nAUTH\r\n$11\r\nopen sesame\r\n*1\r\n$4\r\nPING\r\n")
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = connection.recv(64)
                assert chunk, answer
                answer += chunk
            assert answer == b"+OK\r\n+PONG\r\n"
        listed = cli(home, "services", "--json")
        assert {entry["name"] for entry in json.loads(listed.stdout)} == {"postgres", "redis", "http"}
    finally:
        removed = cli(home, "rm", environment)
        assert removed.returncode == 0, removed.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["create", "--service", "mysql"], "--service 'mysql' must be one of postgres, redis, http"),
    (["create", "--service", "redis", "--set", "pasword=x"], "did you mean 'password'?"),
    (["create", "--service", "http", "--set", "port=99999"], "--set port: 99999 must be from 1 to 65535"),
    (["create", "--set", "password=x"], "--set needs --service NAME"),
    (["create", "--service", "redis", "--image", "x"], "--service and --image conflict"),
])
def test_bad_service_input_is_a_one_line_error(tmp_path: pathlib.Path, args: list[str], message: str) -> None:
    result = cli(str(tmp_path), *args)
    assert result.returncode == 64
    assert message in result.stderr
