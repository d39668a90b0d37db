"""`ptest-iso serve` over TLS: a real handshake with a certificate made here, the Python client
verifying it against the CA it is given, and every wrong setup refused plainly."""

from __future__ import annotations

import pathlib
import subprocess

import pytest

import ptest_isolation as iso
from server_support import ALICE, Server, binary

BUSYBOX = "ptest-iso-test/busybox:latest"


def openssl(*args: str, cwd: pathlib.Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A CA, and a certificate it signed for 127.0.0.1; another CA that signed nothing here."""
    folder = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=ptest-iso test CA", cwd=folder)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
            cwd=folder)
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
            "-days", "1", "-extfile", "san.ext", cwd=folder)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "1",
            "-subj", "/CN=another CA", cwd=folder)
    return folder


@pytest.fixture(scope="module")
def server(pki: pathlib.Path, tmp_path_factory: pytest.TempPathFactory):
    server = Server(tmp_path_factory.mktemp("tls"), "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"))
    yield server
    assert server.stop() == 0
    assert server.containers() == []


def test_the_client_works_over_a_verified_handshake(server: Server, pki: pathlib.Path) -> None:
    assert server.url.startswith("https://127.0.0.1:")
    with iso.Manager(url=server.url, token=ALICE, ca=pki / "ca.pem") as manager:
        with manager.environment(iso.DockerSpec(image=BUSYBOX)) as env:
            assert env.run(["echo", "over tls"]).stdout == "over tls\n"
            with env.stream(["sh", "-c", "echo a; echo b"]) as output:
                assert "".join(chunk.text for chunk in output) == "a\nb\n"


def test_a_client_that_cannot_verify_the_server_is_refused(server: Server, pki: pathlib.Path) -> None:
    with pytest.raises(iso.ServerUnavailable, match="TLS|certificate"):
        iso.Manager(url=server.url, token=ALICE, ca=pki / "other.pem")
    with pytest.raises(iso.ServerUnavailable):
        iso.Manager(url=server.url.replace("https://", "http://"), token=ALICE)
    with pytest.raises(iso.InvalidArgument) as plain:
        iso.Manager(url="http://127.0.0.1:1", token=ALICE, ca=pki / "ca.pem")
    assert plain.value.field == "ca"


@pytest.mark.parametrize("flags, named", [
    (["--tls-cert", "{pki}/missing.pem", "--tls-key", "{pki}/server.key"], "--tls-cert"),
    (["--tls-cert", "{pki}/server.pem", "--tls-key", "{pki}/other.key"], "--tls-key"),
    (["--tls-cert", "{pki}/server.key", "--tls-key", "{pki}/server.key"], "--tls-cert"),
    (["--tls-cert", "{pki}/server.pem"], "--tls-key"),
])
def test_a_bad_certificate_or_key_stops_the_server_naming_the_option(pki: pathlib.Path, tmp_path: pathlib.Path,
                                                                      flags: list[str], named: str) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(f'[{{"token": "{ALICE}", "owner": "alice"}}]')
    result = subprocess.run(
        [str(binary()), "serve", "--port", "0", "--tokens", str(tokens), "--home", str(tmp_path / "home"),
         *[flag.format(pki=pki) for flag in flags]],
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and result.stdout == ""
    assert named in result.stderr, result.stderr
