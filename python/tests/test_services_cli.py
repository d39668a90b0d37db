"""The ready-made services from the CLI: the same specs as ``ptest_isolation.services``
builds, a Redis created with ``create --service`` answering at the URL it prints, and bad
service input refused naming the option."""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import urllib.parse

import pytest

from ptest_isolation import _cli, services

COMPARED = ("image", "mode", "ports", "environment", "wait_for", "ready_timeout_seconds", "command")


def cli(home: str, *args: str) -> subprocess.CompletedProcess[str]:
    # `services` keeps no state: it takes no --home.
    state = [] if args[0] == "services" else ["--home", home]
    return subprocess.run([str(_cli.binary()), args[0], *state, *args[1:]], capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize(("name", "python_service", "options"), [
    ("postgres", services.Postgres(dbname="app", password="s3cret"), ["dbname=app", "password=s3cret"]),
    ("redis", services.Redis(password="pw"), ["password=pw"]),
    ("redis", services.Redis(), []),
    ("http", services.HTTPService(port=9000, path="/health"), ["port=9000", "path=/health"]),
])
def test_the_cli_and_python_build_the_same_service_specs(tmp_path: pathlib.Path, name: str, python_service: services.Service,
                                                          options: list[str]) -> None:
    printed = cli(str(tmp_path), "services", name, "--spec", *[arg for option in options for arg in ("--set", option)])
    assert printed.returncode == 0, printed.stderr
    core = json.loads(printed.stdout)
    python = python_service.spec().to_request()
    for key in COMPARED:
        assert core.get(key) == python.get(key), key


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
    (["create", "--service", "http", "--set", "port=99999"], "service_options.port: '99999' is not a number from 1 to 65535"),
    (["create", "--set", "password=x"], "--set needs --service NAME"),
    (["create", "--service", "redis", "--image", "x"], "--service and --image conflict"),
])
def test_bad_service_input_is_a_one_line_error(tmp_path: pathlib.Path, args: list[str], message: str) -> None:
    result = cli(str(tmp_path), *args)
    assert result.returncode == 64
    assert message in result.stderr
