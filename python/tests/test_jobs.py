"""Jobs and build contexts through the Python API, against the real daemon."""

import pathlib

import pytest

import ptest_isolation as iso
from ptest_isolation.results import JobResult
from ptest_isolation.specs import Build

BUSYBOX = "ptest-iso-test/busybox:latest"


def test_a_job_runs_to_completion_and_retries_a_failure(manager, tmp_path: pathlib.Path):
    result = manager.run_job("echo out; echo err >&2", image=BUSYBOX, env={"MODE": "job"})
    assert isinstance(result, JobResult)
    assert (result.exit_code, result.stdout, result.stderr, result.attempts) == (0, "out\n", "err\n", 1)
    assert result.container is None

    # Attempts are counted in a bind-mounted host directory: the first two fail.
    counter = tmp_path / "attempts"
    counter.mkdir()
    script = "echo x >> /count/n; test $(wc -l < /count/n) -ge 3"
    retried = manager.run_job(script, image=BUSYBOX, volumes=[iso.Volume(str(counter), "/count")], retries=4, backoff_seconds=0.05)
    assert (retried.exit_code, retried.attempts) == (0, 3)

    failed = manager.run_job(["sh", "-c", "exit 2"], image=BUSYBOX)
    assert not failed.ok
    with pytest.raises(Exception):
        failed.check_returncode()


def test_a_job_takes_security_fields_and_secret_variables(manager):
    script = "touch /x 2>/dev/null && echo writable || echo read-only; grep CapEff /proc/self/status; echo $TOKEN"
    result = manager.run_job(
        script, image=BUSYBOX, read_only_root=True, cap_drop=["ALL"], secrets=[iso.Secret("TOKEN", "hidden-value")]
    )
    assert result.stdout == "read-only\nCapEff:\t0000000000000000\nhidden-value\n"
    with pytest.raises(iso.InvalidSpec, match=r"secrets\[0\]: a job takes secrets as variables"):
        manager.run_job("true", image=BUSYBOX, secrets=[iso.Secret("key", "k", delivery="file")])


def test_a_job_past_its_deadline_raises_timeout(manager):
    with pytest.raises(iso.Timeout, match="deadline_seconds"):
        manager.run_job("echo started; sleep 600", image=BUSYBOX, deadline_seconds=1.5)


def test_a_job_and_an_environment_from_a_build_context(tmp_path: pathlib.Path):
    # No standby containers: one started from the built image would (rightly) keep it from eviction.
    with iso.Manager(home=str(tmp_path / "home"), session="python-jobs", docker_standby=0) as manager:
        _build_context_round_trip(manager, tmp_path)


def _build_context_round_trip(manager: iso.Manager, tmp_path: pathlib.Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {BUSYBOX}\nARG WORD=plain\nRUN echo $WORD > /word.txt\n")
    build = Build(str(context), args={"WORD": "built"})
    first = manager.run_job(["cat", "/word.txt"], build=build)
    assert (first.stdout, first.image_cache) == ("built\n", "miss")
    with manager.create(iso.DockerSpec(build=build)) as env:
        assert env.details["image_cache"] == "hit"
        assert env.run("cat /word.txt").stdout == "built\n"
    with pytest.raises(iso.InvalidSpec, match="build.context") as missing:
        manager.create(iso.DockerSpec(build=Build(str(tmp_path / "missing"))))
    assert missing.value.field == "build.context"
    with pytest.raises(iso.InvalidSpec, match="exactly one"):
        manager.run_job("true", image=BUSYBOX, build=build)
    assert len(manager.cached_images()) == 1
    assert len(manager.collect_images(0)) == 1
