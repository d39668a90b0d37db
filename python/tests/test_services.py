"""The ready-made services (ptest_isolation.services) against the real daemon,
with the images scripts/test-images.sh builds from Debian's packages, reached
from the host with real client libraries."""

import json
import os
import pathlib
import subprocess
import urllib.request

import pytest

import ptest_isolation as iso
from ptest_isolation import services

psycopg = pytest.importorskip("psycopg")
redis_client = pytest.importorskip("redis")

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_postgres_creates_a_table_and_reads_it_back_through_the_dsn(manager):
    with services.postgres(manager, dbname="app", user="alice", password="s3cret:@/") as pg:
        assert pg.dsn.startswith("postgresql://alice:s3cret%3A%40%2F@127.0.0.1:")
        assert pg.port == pg.environment.ports[5432]
        with psycopg.connect(pg.dsn, connect_timeout=10) as conn:
            conn.execute("CREATE TABLE items (name text)")
            conn.execute("INSERT INTO items VALUES ('one'), ('two')")
            conn.commit()
        with psycopg.connect(pg.dsn, connect_timeout=10) as conn:
            rows = conn.execute("SELECT name, current_user, current_database() FROM items ORDER BY name").fetchall()
        assert rows == [("one", "alice", "app"), ("two", "alice", "app")]
        # The password is required from the host.
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(pg.dsn.replace("s3cret%3A%40%2F", "wrong"), connect_timeout=10)


def test_postgres_accepts_connections_as_soon_as_create_returns(manager):
    service = services.Postgres()
    for _ in range(3):  # fresh services, each connected to at once
        with manager.environment(service.spec()) as env:
            with psycopg.connect(service.dsn(env), connect_timeout=10) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)


def test_redis_set_and_get_with_a_password(manager):
    with services.redis(manager, password="pw") as r:
        assert r.url == f"redis://:pw@127.0.0.1:{r.port}/0"
        client = redis_client.Redis.from_url(r.url, socket_timeout=10)
        assert client.set("key", "value")
        assert client.get("key") == b"value"
        with pytest.raises(redis_client.AuthenticationError):
            redis_client.Redis(host=r.host, port=r.port, socket_timeout=10).get("key")


def test_redis_without_a_password(manager):
    service = services.Redis()
    with manager.environment(service.spec()) as env:
        client = redis_client.Redis(host=service.host(env), port=service.port(env), socket_timeout=10)
        assert client.ping() is True


def test_http_service_serves_a_file_from_a_host_directory(manager, tmp_path):
    (tmp_path / "index.html").write_text("home\n")
    (tmp_path / "data.txt").write_text("served\n")
    with services.static_http(manager, tmp_path) as web:
        assert web.url == f"http://127.0.0.1:{web.port}/"
        with urllib.request.urlopen(web.url + "data.txt", timeout=10) as response:
            assert response.read() == b"served\n"


def test_http_service_runs_a_given_command(manager):
    service = services.HTTPService(image="ptest-iso-test/python:bookworm", port=8000,
                                   command=["python3", "-m", "http.server", "8000", "--directory", "/etc"],
                                   path="/hostname")
    with services.start(manager, service) as web:
        with urllib.request.urlopen(web.service.url(web.environment, "/os-release"), timeout=10) as response:
            assert b"bookworm" in response.read()


def test_the_documented_cli_spec_starts_postgres(tmp_path):
    binary = ROOT / ".build" / "debug" / "ptest-iso"
    if not binary.exists():
        pytest.skip("the CLI is not built")
    spec = services.Postgres().spec().to_request()
    created = subprocess.run([str(binary), "create", "--home", str(tmp_path / "home"), "--json", "--spec", "-"], input=json.dumps(spec),
                             capture_output=True, text=True, timeout=120, env=os.environ)
    assert created.returncode == 0, created.stderr
    body = json.loads(created.stdout)
    try:
        port = int(body["details"]["port.5432"])
        with psycopg.connect(f"postgresql://test:test@127.0.0.1:{port}/test", connect_timeout=10) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("test",)
    finally:
        subprocess.run([str(binary), "rm", "--home", str(tmp_path / "home"), body["id"]], capture_output=True, timeout=120)


def test_iso_service_fixture_starts_and_removes_a_service(pytester, tmp_path, monkeypatch):
    monkeypatch.delenv("PTEST_ISO_SESSION", raising=False)
    # The subprocess runs elsewhere: this checkout's package, not an installed one.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT / "python"), os.environ.get("PYTHONPATH")])))
    pytester.makepyfile(
        """
        import redis
        from ptest_isolation import services

        def test_redis(iso_service):
            r = iso_service(services.Redis())
            assert redis.Redis(host=r.host, port=r.port, socket_timeout=10).ping()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--iso-home={tmp_path / 'home'}")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*1 environments created, 0 left behind*"])
