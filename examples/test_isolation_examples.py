"""What ptest-isolation gives a test suite: every test its own environment.

Run with `pytest examples -v`; the plugin prints, at the end, how many
environments the run made and how many were left behind (none)."""

import pytest


def test_every_test_gets_its_own_virtualenv(iso_env):
    result = iso_env.python("import sys; print(sys.prefix)")
    assert result.stdout.strip() == f"{iso_env.location}/venv"
    assert iso_env.python("import sys; print(sys.prefix != sys.base_prefix)").stdout == "True\n"


def test_two_versions_of_a_package_side_by_side(iso_factory, wheelhouse):
    old = iso_factory(requirements=["greeter==1.0.0"], find_links=[wheelhouse], offline=True)
    new = iso_factory(requirements=["greeter==2.0.0"], find_links=[wheelhouse], offline=True)
    code = "import greeter; print(greeter.greet('ptest'))"
    assert old.python(code).stdout == "hello, ptest\n"
    assert new.python(code).stdout == "HELLO, PTEST\n"


def test_what_one_test_installs_never_reaches_another(iso_factory, wheelhouse):
    first, second = iso_factory(), iso_factory()
    first.install("counter", find_links=[wheelhouse], offline=True)
    assert "counter" in first.packages()
    assert not second.python("import counter").ok


@pytest.mark.isolated(env={"APP_MODE": "testing"})
def test_a_marker_shapes_the_environment(iso_env):
    assert iso_env.run("echo $APP_MODE").stdout == "testing\n"


def test_a_hanging_command_is_killed_at_its_timeout(iso_env):
    result = iso_env.run("sleep 60 & sleep 61", timeout=1)
    assert result.timed_out


@pytest.fixture(scope="module")
def prepared(iso_module_factory, wheelhouse):
    """Set up once per module: packages and data the tests start from."""
    env = iso_module_factory(requirements=["greeter==1.0.0"], find_links=[wheelhouse], offline=True)
    env.run("mkdir data && echo 3 > data/seed.txt", check=True)
    return env


@pytest.mark.parametrize("round", [1, 2, 3])
def test_each_test_starts_from_the_same_prepared_state(iso_fresh_copy, prepared, round):
    env = iso_fresh_copy(prepared)
    assert env.run(["cat", "data/seed.txt"]).stdout == "3\n"
    assert env.run(["ls", "data"]).stdout == "seed.txt\n"  # no file left by an earlier round
    env.run(f"echo {round} > data/round-{round}.txt", check=True)


@pytest.fixture(scope="session")
def docker_available(iso_manager):
    if not iso_manager.doctor()["docker"]["reachable"]:
        pytest.skip("no Docker daemon answers; the virtualenv examples above still ran")


def test_a_docker_environment_when_a_daemon_answers(docker_available, iso_factory, wheelhouse):
    env = iso_factory(image="ptest-iso-test/python:bookworm", memory="256m", cpus="1")
    env.install("greeter==2.0.0", find_links=[wheelhouse], offline=True)
    assert env.python("import greeter; print(greeter.greet('container'))").stdout == "HELLO, CONTAINER\n"
    assert env.run("ls /sys/class/net").stdout == "lo\n"  # no network unless asked for


def test_a_service_under_test_answers_when_the_test_starts(docker_available, iso_factory):
    # A service runs its image's own process (here busybox's httpd); create returns once the
    # readiness check has had an answer from the host, so the test needs no retry loop.
    import urllib.request

    import ptest_isolation as iso

    service = iso_factory(
        image="ptest-iso-test/busybox:latest",
        command=["sh", "-c", "mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 8080 -h /www"],
        ports=[8080],
        wait_for=[iso.WaitFor.http(8080, "/")],
    )
    assert service.details["mode"] == "service"
    with urllib.request.urlopen(f"http://127.0.0.1:{service.ports[8080]}/", timeout=10) as answer:
        assert answer.read() == b"served\n"


def test_a_fresh_postgres_for_this_test(docker_available, iso_service):
    # A ready-made service: the readiness check talks the protocol (pg_isready), so the
    # first connection succeeds; the DSN carries the published port.
    import psycopg

    from ptest_isolation import services

    pg = iso_service(services.Postgres())
    with psycopg.connect(pg.dsn) as connection:
        connection.execute("CREATE TABLE notes (body text)")
        connection.execute("INSERT INTO notes VALUES ('isolated')")
        assert connection.execute("SELECT body FROM notes").fetchall() == [("isolated",)]


def test_a_compose_stack_for_this_test(docker_available, iso_factory):
    # The team's compose file, brought up natively: the web front starts once the cache is
    # healthy, every service's ports are known by name, and the whole stack goes after the test.
    import pathlib
    import socket
    import urllib.request

    stack = iso_factory(compose=str(pathlib.Path(__file__).parent / "compose" / "docker-compose.yml"))
    assert stack.services == ["cache", "web"]
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports[8080]}/", timeout=10) as answer:
        assert answer.read() == b"front of cache\n"
    with socket.create_connection(("127.0.0.1", stack.service_ports("cache")[6379]), timeout=10) as cache:
        cache.sendall(b"PING\r\n")
        assert cache.recv(64) == b"+PONG\r\n"
