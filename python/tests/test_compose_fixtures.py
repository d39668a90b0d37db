"""The compose fixtures and marker, driven through real pytest runs: a stack per test, per
module or per session, and a session's stack shared by all xdist workers — started once,
removed after the last worker, or by the session's reaper when the run is killed."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from compose_support import BUSYBOX, project_resources


STACK = f"""
services:
  web:
    image: {BUSYBOX}
    command: ["sh", "-c", "mkdir -p /www && echo up > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 200ms
      retries: 150
  cache:
    image: {BUSYBOX}
    command: ["sleep", "3600"]
"""

#: Each test records which stack it got, from which worker, into the directory RECORDS.
RECORD = """
import json, os, pathlib, urllib.request

def record(name, stack):
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports[8080]}/", timeout=10) as answer:
        assert answer.read() == b"up\\n"
    entry = {"stack": stack.id, "project": stack.details["compose.project"],
             "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "shared": stack.shared}
    (pathlib.Path(RECORDS) / f"{name}.json").write_text(json.dumps(entry))
"""


def records(directory: pathlib.Path) -> dict[str, dict[str, object]]:
    return {path.stem: json.loads(path.read_text()) for path in directory.glob("*.json")}


@pytest.fixture
def suite(pytester: pytest.Pytester, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch):
    """A suite directory with the compose file, where tests record what they got."""
    monkeypatch.delenv("PTEST_ISO_SESSION", raising=False)
    compose = tmp_path / "compose.yaml"
    compose.write_text(STACK)
    recorded = tmp_path / "records"
    recorded.mkdir()
    header = f"COMPOSE = {str(compose)!r}\nRECORDS = {str(recorded)!r}\n" + RECORD
    return compose, recorded, header, tmp_path / "home"


def test_a_session_stack_is_started_once_for_all_xdist_workers_and_removed_after_the_last(pytester, suite):
    compose, recorded, header, home = suite
    pytester.makepyfile(header + """
import pytest

pytestmark = pytest.mark.compose(COMPOSE, services=["web", "cache"], scope="session")

@pytest.mark.parametrize("index", range(8))
def test_uses_the_stack(iso_stack, index):
    assert iso_stack.services == ["web", "cache"] or sorted(iso_stack.services) == ["cache", "web"]
    record(f"test-{index}", iso_stack)
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--iso-home={home}", "-n", "2")
    result.assert_outcomes(passed=8)
    seen = records(recorded)
    assert len(seen) == 8
    assert {entry["stack"] for entry in seen.values()} == {next(iter(seen.values()))["stack"]}
    assert {entry["worker"] for entry in seen.values()} == {"gw0", "gw1"}, seen
    assert all(entry["shared"] for entry in seen.values())
    # Started once, and gone once the run is over: the controller removed it after both workers.
    result.stdout.re_match_lines([r"ptest-isolation: session pytest-\w+: 1 environments created, 0 left behind"])
    project = str(next(iter(seen.values()))["project"])
    assert project_resources(project) == []


def test_function_and_module_stacks_and_the_factories(pytester, suite):
    compose, recorded, header, home = suite
    pytester.makepyfile(
        test_module=header + """
import pytest

pytestmark = pytest.mark.compose(COMPOSE, scope="module")

def test_one(iso_stack):
    record("module-1", iso_stack)

def test_two(iso_stack):
    record("module-2", iso_stack)
""",
        test_function=header + """
import pytest

@pytest.mark.compose(COMPOSE, services=["web"])
def test_a(iso_stack):
    assert iso_stack.services == ["web"] and not iso_stack.shared
    record("function-a", iso_stack)

@pytest.mark.compose(COMPOSE, services=["web"])
def test_b(iso_stack):
    record("function-b", iso_stack)

def test_factory(iso_compose):
    stack = iso_compose(COMPOSE, services=["web"], env={"UNUSED": "1"})
    record("factory", stack)

def test_no_marker(iso_stack):
    pass

@pytest.mark.compose(COMPOSE, scope="package")
def test_bad_scope(iso_stack):
    pass
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--iso-home={home}")
    result.assert_outcomes(passed=5, errors=2)
    result.stdout.fnmatch_lines([
        "*iso_stack needs @pytest.mark.compose(\"compose.yaml\", ...) on the test*",
        "*compose marker: scope 'package' is not one of function, module, session*",
    ])
    seen = records(recorded)
    assert seen["module-1"]["stack"] == seen["module-2"]["stack"]
    stacks = {seen[name]["stack"] for name in ("module-1", "function-a", "function-b", "factory")}
    assert len(stacks) == 4
    result.stdout.re_match_lines([r"ptest-isolation: session pytest-\w+: 4 environments created, 0 left behind"])
    for entry in seen.values():
        assert project_resources(str(entry["project"])) == []


def test_a_killed_xdist_run_leaves_no_shared_stack_behind(tmp_path: pathlib.Path):
    compose = tmp_path / "compose.yaml"
    compose.write_text(STACK)
    marker = tmp_path / "marker.json"
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_held.py").write_text(f"""
import json, os, pathlib, time
import pytest

@pytest.mark.compose({str(compose)!r}, scope="session")
@pytest.mark.parametrize("index", range(2))
def test_holds(iso_stack, index):
    path = pathlib.Path({str(marker)!r} + os.environ.get("PYTEST_XDIST_WORKER", ""))
    path.write_text(json.dumps({{"project": iso_stack.details["compose.project"]}}))
    time.sleep(600)  # held until the run is killed
""")
    env = dict(os.environ, PTEST_ISO_HOME=str(tmp_path / "home"))
    env.pop("PTEST_ISO_SESSION", None)
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2", str(suite)],
                               cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        held = [pathlib.Path(f"{marker}gw0"), pathlib.Path(f"{marker}gw1")]
        while not all(path.exists() for path in held):
            if process.poll() is not None:
                pytest.fail(f"the run ended early:\n{process.stdout.read().decode() if process.stdout else ''}")
            assert time.monotonic() < deadline, "the workers got no stack within 240 s"
            time.sleep(0.1)
        projects = {json.loads(path.read_text())["project"] for path in held}
        assert len(projects) == 1
        project = projects.pop()
        assert len(project_resources(project)) == 3  # two containers and the stack's network
    finally:
        # The controller and both workers, at once, with no chance to clean up.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 60
    while project_resources(project) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert project_resources(project) == [], "the session's reaper did not remove the shared stack"
