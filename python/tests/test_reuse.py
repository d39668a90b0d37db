"""Environments reused across runs (``reuse=True``, decision 0007): found again by the next
run and by several xdist workers at once without duplicates, spared by every run's end and
session reaper, removed by their TTL or ``ptest-iso rm``. Real daemon, real pytest runs."""

from __future__ import annotations

import pathlib
import subprocess
import time
import uuid

import pytest

import ptest_isolation as iso
from ptest_isolation import _cli

IMAGE = "ptest-iso-test/busybox:latest"


def containers(token: str) -> list[str]:
    """The ids of the containers (running or not) labelled with this test's token."""
    listed = subprocess.run(["docker", "ps", "-aq", "--no-trunc", "--filter", f"label=reuse-test={token}"],
                            capture_output=True, text=True, check=True)
    return listed.stdout.split()


def running(container: str) -> bool:
    inspect = subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", container], capture_output=True, text=True)
    return inspect.stdout.strip() == "true"


def cli(home: pathlib.Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(_cli.binary()), arguments[0], "--home", str(home), *arguments[1:]],
                          capture_output=True, text=True, timeout=120)


def wait_for_reapers(home: pathlib.Path) -> None:
    """Until every session reaper of `home` has finished its removal (each deletes its lock as it ends)."""
    deadline = time.monotonic() + 60
    while list((home / "reapers").glob("*.lock")) if (home / "reapers").is_dir() else []:
        assert time.monotonic() < deadline, "a session reaper did not finish within 60 s"
        time.sleep(0.1)


@pytest.fixture
def token() -> str:
    """Labels this test's containers (the label is part of the spec, so of the reuse key),
    and removes what is left of them."""
    value = uuid.uuid4().hex[:12]
    yield value
    for container in containers(value):
        subprocess.run(["docker", "rm", "-f", container], capture_output=True)


@pytest.fixture
def run_suite(pytester, tmp_path, monkeypatch):
    home = tmp_path / "reuse-home"
    monkeypatch.delenv("PTEST_ISO_SESSION", raising=False)

    def run(*args):
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--iso-home={home}", *args)

    run.home = home
    return run


def suite(token: str, seen: pathlib.Path, tests: int = 1) -> str:
    """Tests that each use the same reused container and note what they got in `seen`."""
    body = f"""
import os
import pytest

SPEC = dict(image={IMAGE!r}, mode="sandbox", labels={{"reuse-test": {token!r}}}, reuse=True)
"""
    for index in range(tests):
        body += f"""
@pytest.mark.isolated(**SPEC)
def test_uses_the_shared_container_{index}(iso_env):
    assert iso_env.reused and iso_env.session == "ptest-iso.reuse"
    assert iso_env.run(["echo", "hello"]).stdout == "hello\\n"
    with open({str(seen)!r}, "a") as out:
        out.write(f"{{iso_env.id}} {{iso_env.location}} {{os.environ.get('PYTEST_XDIST_WORKER', '-')}}\\n")
"""
    return body


def seen_lines(seen: pathlib.Path) -> list[list[str]]:
    return [line.split() for line in seen.read_text().splitlines()]


def test_a_second_run_gets_the_first_runs_container_which_outlives_both_until_removed(pytester, run_suite, token, tmp_path):
    seen = tmp_path / "seen.txt"
    pytester.makepyfile(suite(token, seen))

    first = run_suite()
    first.assert_outcomes(passed=1)
    # The run's end and its session's reaper (once done) spare it.
    wait_for_reapers(run_suite.home)
    [(environment_id, container, _)] = seen_lines(seen)
    assert containers(token) == [container] and running(container)

    second = run_suite()
    second.assert_outcomes(passed=1)
    wait_for_reapers(run_suite.home)
    assert seen_lines(seen)[1][:2] == [environment_id, container]
    assert containers(token) == [container] and running(container)

    # Listed as reused, not expired yet: `cleanup --expired` leaves it; `rm` removes it.
    listed = cli(run_suite.home, "ls", "--reused")
    assert listed.returncode == 0 and environment_id[:12] in listed.stdout, listed.stderr
    assert "SHARED" in listed.stdout.splitlines()[0] and "reuse " in listed.stdout
    expired = cli(run_suite.home, "cleanup", "--expired")
    assert expired.returncode == 0, expired.stderr
    assert containers(token) == [container] and running(container)
    removed = cli(run_suite.home, "rm", environment_id)
    assert removed.returncode == 0, removed.stderr
    assert containers(token) == []
    assert cli(run_suite.home, "ls", "--reused").stdout == "no environments\n"


def test_two_xdist_workers_asking_at_once_share_one_container(pytester, run_suite, token, tmp_path):
    seen = tmp_path / "seen.txt"
    pytester.makepyfile(suite(token, seen, tests=2))

    result = run_suite("-n", "2")
    result.assert_outcomes(passed=2)
    lines = seen_lines(seen)
    assert sorted(line[2] for line in lines) == ["gw0", "gw1"]
    assert len({line[0] for line in lines}) == 1 and len({line[1] for line in lines}) == 1
    wait_for_reapers(run_suite.home)
    assert containers(token) == [lines[0][1]]
    with iso.Manager(home=str(run_suite.home), reaper="") as manager:
        reused = manager.list(session="ptest-iso.reuse", live_only=False)
        assert [env.id for env in reused] == [lines[0][0]]
        reused[0].destroy()
    assert containers(token) == []


def test_expiry_is_renewed_by_each_reuse_and_then_removes_it(tmp_path, token):
    home = str(tmp_path / "home")
    spec = iso.DockerSpec(image=IMAGE, mode="sandbox", labels={"reuse-test": token}, ttl_seconds=2, reuse=True)
    # Two managers of different sessions, each leaving as a fixture's manager does.
    with iso.Manager(home=home, session="first", reaper="") as first:
        made = first.create(spec)
        assert made.reused and made.details["reuse"] == "created"
        assert first.destroy_created() == []
    with iso.Manager(home=home, session="second", reaper="") as second:
        found = second.create(spec)
        assert (found.id, found.location, found.details["reuse"]) == (made.id, made.location, "found")
        with second.environment(spec) as again:
            assert again.id == made.id
        second.destroy_session()
    assert containers(token) == [made.location]
    # Once its TTL has passed since the last reuse, `cleanup --expired` removes it.
    deadline = time.monotonic() + 30
    while containers(token):
        assert time.monotonic() < deadline, "cleanup --expired did not remove the expired reused container"
        assert cli(pathlib.Path(home), "cleanup", "--expired").returncode == 0
        time.sleep(0.2)
    with iso.Manager(home=home, reaper="") as observer:
        assert observer.get(made.id).status == "destroyed"


def test_reuse_is_refused_where_it_cannot_be_kept(manager):
    with pytest.raises(iso.InvalidSpec) as keep:
        manager.create(iso.DockerSpec(image=IMAGE, cleanup="keep", reuse=True))
    assert keep.value.field == "reuse"
    with pytest.raises(iso.InvalidSpec) as secrets:
        manager.create(iso.DockerSpec(image=IMAGE, secrets=[iso.Secret("TOKEN", "s3cret")], reuse=True))
    assert secrets.value.field == "reuse" and "s3cret" not in str(secrets.value)
    with pytest.raises(iso.InvalidSpec) as typed:
        manager.create(image=IMAGE, reuse="yes")
    assert typed.value.field == "reuse"


def test_reuse_keeps_docker_specs_positional_fields():
    spec = iso.DockerSpec(None, [], [], [], None, [], False, False, {}, {}, None, "end-of-session", True, None, IMAGE)
    assert spec.image == IMAGE and spec.reuse is False
    assert iso.VenvSpec(reuse=True).to_request()["reuse"] is True
    assert "reuse" not in iso.VenvSpec().to_request()


def test_a_failing_tests_report_says_its_environment_is_reused(pytester, run_suite):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.isolated(reuse=True, use_template_cache=False)
        def test_fails(iso_env):
            assert iso_env.run("false").exit_code == 0
        """
    )
    result = run_suite()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ptest-isolation environments*", "env-*  engine=virtualenv  at *  reused across runs (key *)"])
    with iso.Manager(home=str(run_suite.home), reaper="") as manager:
        [reused] = manager.list(session="ptest-iso.reuse")
        assert reused.reused and reused.status == "ready"
        reused.destroy()


def test_iso_service_with_reuse_leaves_the_service_for_the_next_run(pytester, run_suite, token, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("reused page\n")
    seen = tmp_path / "seen.txt"
    pytester.makepyfile(
        f"""
        import urllib.request
        from ptest_isolation import services

        def test_serves(iso_service):
            web = iso_service(services.HTTPService.static({str(site)!r}), reuse=True, labels={{"reuse-test": {token!r}}})
            assert web.environment.reused
            assert urllib.request.urlopen(web.url).read() == b"reused page\\n"
            with open({str(seen)!r}, "a") as out:
                out.write(web.environment.id + "\\n")
        """
    )
    run_suite().assert_outcomes(passed=1)
    run_suite("--iso-keep").assert_outcomes(passed=1)
    ids = seen.read_text().split()
    assert len(ids) == 2 and ids[0] == ids[1]
    wait_for_reapers(run_suite.home)
    [container] = containers(token)
    assert running(container)
    assert cli(run_suite.home, "rm", ids[0]).returncode == 0
    assert containers(token) == []
