"""The pytest plugin, driven through pytester in a real subprocess."""

import os

import pytest

import ptest_isolation as iso

from reaper_support import wait_for_no_reaper


@pytest.fixture
def run_suite(pytester, tmp_path, monkeypatch):
    home = tmp_path / "plugin-home"
    monkeypatch.delenv("PTEST_ISO_SESSION", raising=False)

    def run(*args):
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--iso-home={home}", *args)

    run.home = home
    return run


def test_fixtures_markers_and_scopes(pytester, run_suite, wheels):
    pytester.makepyfile(
        f"""
        import pytest

        WHEELS = {str(wheels)!r}

        def test_iso_env_is_a_fresh_venv(iso_env):
            assert iso_env.engine == "virtualenv"
            assert iso_env.python("import sys; print(sys.prefix != sys.base_prefix)").stdout == "True\\n"

        @pytest.mark.isolated(packages=["pti_alpha"], find_links=[WHEELS], offline=True)
        def test_marker_shapes_the_environment(iso_env):
            assert iso_env.packages() == {{"pti_alpha": "1.0.0"}}

        @pytest.fixture(scope="module")
        def prepared(iso_module_factory):
            env = iso_module_factory(requirements=["pti_beta"], find_links=[WHEELS], offline=True)
            env.run("echo prepared > marker.txt", check=True)
            return env

        @pytest.mark.parametrize("round", range(3))
        def test_each_test_gets_a_fresh_copy(iso_fresh_copy, prepared, round):
            copy = iso_fresh_copy(prepared)
            assert copy.id != prepared.id
            assert copy.run(["cat", "marker.txt"]).stdout == "prepared\\n"
            assert copy.run(["ls"]).stdout == "marker.txt\\n"
            copy.run("echo dirt > dirt.txt", check=True)

        def test_factory_makes_several(iso_factory):
            first, second = iso_factory(), iso_factory(env={{"WHO": "second"}})
            assert first.id != second.id
            assert second.run("echo $WHO").stdout == "second\\n"
        """
    )
    result = run_suite("-v")
    result.assert_outcomes(passed=6)
    result.stdout.re_match_lines([r"ptest-isolation: session pytest-\w+: \d+ environments created, 0 left behind"])


def test_a_failure_report_names_the_environment_and_its_output(pytester, run_suite):
    pytester.makepyfile(
        """
        def test_fails(iso_env):
            iso_env.run("echo some output; echo boom >&2; exit 4")
            assert iso_env.last_result.ok
        """
    )
    result = run_suite()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ptest-isolation environments*", "*env-* engine=virtualenv*", "*exit 4*", "*boom*"])


def test_keep_leaves_environments_and_says_where(pytester, run_suite):
    pytester.makepyfile("def test_one(iso_env):\n    pass\n")
    result = run_suite("--iso-keep")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["ptest-isolation: kept 1 environments of session *", "  env-*  virtualenv  *"])
    (line,) = [line for line in result.stdout.lines if line.startswith("ptest-isolation: kept 1 environments of session ")]
    # The session's reaper has ended the session (or none was left to): kept means kept.
    wait_for_no_reaper(line.rsplit(" ", 1)[1].rstrip(":"), 30)
    with iso.Manager(home=str(run_suite.home)) as manager:
        kept = [env for env in manager.list(live_only=True) if env.status == "ready"]
        assert kept and kept[0].spec["cleanup"] == "keep"
        assert len(kept) == 1
        assert os.path.isdir(kept[0].location)
        kept[0].destroy()


def test_four_xdist_workers_share_one_session_and_leave_nothing(pytester, run_suite):
    pytester.makepyfile(
        """
        import os
        import pytest

        @pytest.mark.parametrize("index", range(100))
        def test_many(iso_env, index):
            result = iso_env.run(["python", "-c", "import os; print(os.environ['VIRTUAL_ENV'])"])
            assert result.stdout == iso_env.location + "/venv\\n"
            assert iso_env.session == os.environ["PTEST_ISO_SESSION"]
        """
    )
    result = run_suite("-n", "4")
    result.assert_outcomes(passed=100)
    result.stdout.re_match_lines([r"ptest-isolation: session pytest-\w+: 100 environments created, 0 left behind"])
    with iso.Manager(home=str(run_suite.home)) as manager:
        everything = manager.list(live_only=False)
        assert len(everything) == 100
        assert len({env.session for env in everything}) == 1
        assert all(env.status == "destroyed" for env in everything)
    assert os.listdir(run_suite.home / "envs") == []


def test_docker_environments_take_the_configured_image_and_a_standby(pytester, run_suite):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("round", range(3))
        def test_in_a_container(iso_env, round):
            assert iso_env.engine == "docker"
            assert iso_env.run("echo $HOME").exit_code == 0
            # The first round starts a container; later ones take the standby started meanwhile.
            if round > 0:
                assert iso_env.details.get("standby") == "true"
        """
    )
    result = run_suite("--iso-engine=docker", "--iso-image=ptest-iso-test/busybox:latest")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*3 environments created, 0 left behind*"])


def test_the_last_test_starts_no_standby(pytester, run_suite):
    pytester.makepyfile(
        """
        import subprocess

        import pytest

        @pytest.mark.parametrize("round", range(2))
        def test_in_a_container(iso_env, iso_manager, round):
            assert iso_env.details.get("standby") == ("true" if round else None)
            if round == 1:
                # The last test took the standby the first one left; none was started after it.
                iso_manager.wait_for_background()
                standbys = subprocess.run(
                    ["docker", "ps", "-aq", "--no-trunc", "--filter", f"label=ptest-iso.session={iso_manager.session}",
                     "--filter", "label=ptest-iso.standby=true"],
                    capture_output=True, text=True, check=True).stdout.split()
                assert standbys == [iso_env.location]
        """
    )
    result = run_suite("--iso-engine=docker", "--iso-image=ptest-iso-test/busybox:latest")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*2 environments created, 0 left behind*"])


def test_standbys_stop_at_what_the_tests_left_can_take(pytester, run_suite):
    pytester.makepyfile(
        """
        def test_first(iso_factory, iso_manager):
            # The first of two tests that use an environment: its environment starts one standby,
            # for the second test.
            iso_factory()
            iso_manager.wait_for_background()
            # This second environment takes it, counted as the second test's: none is started
            # after it.
            assert iso_factory().details.get("standby") == "true"
            iso_manager.wait_for_background()

        def test_second(iso_env):
            assert iso_env.details.get("standby") is None
        """
    )
    result = run_suite("--iso-engine=docker", "--iso-image=ptest-iso-test/busybox:latest")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*3 environments created, 0 left behind*"])


@pytest.mark.parametrize("cores, xdist, depths", [(4, (), ["main 4"]), (2, ("-n", "2"), ["gw0 1", "gw1 1"])])
def test_the_runs_standby_budget_is_split_between_its_xdist_workers(pytester, run_suite, tmp_path, monkeypatch, cores, xdist,
                                                                    depths):
    # Every worker keeps its own standbys: the run's budget (one per core, at most 4; the cores
    # are set here, whatever this machine has) is split between them, so the daemon is not asked
    # for more starts at once than the cores run.
    record = tmp_path / "depths"
    # This test may itself run in an xdist worker: the run it starts must not look like one.
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makeconftest(
        f"""
        import os

        import ptest_isolation.manager

        os.sched_getaffinity = lambda pid: set(range({cores}))
        opened = ptest_isolation.manager.Manager.__init__

        def recording(self, *args, **kwargs):
            if kwargs.get("docker_standby") is not None:
                with open({str(record)!r}, "a") as handle:
                    handle.write(f"{{os.environ.get('PYTEST_XDIST_WORKER', 'main')}} {{kwargs['docker_standby']}}\\n")
            opened(self, *args, **kwargs)

        ptest_isolation.manager.Manager.__init__ = recording
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("index", range(4))
        def test_uses_the_manager(iso_manager, index):
            assert iso_manager.session
        """
    )
    result = run_suite(*xdist)
    result.assert_outcomes(passed=4)
    assert sorted(record.read_text().splitlines()) == depths


def test_a_standby_depth_is_the_cores_budget_split_between_workers_and_never_zero(monkeypatch):
    from ptest_isolation.pytest_plugin import _standby_depth

    class Worker:
        def __init__(self, count: int) -> None:
            self.workerinput = {"workercount": count}

    class Alone:
        pass

    for cores, config, depth in [(2, Alone(), 2), (2, Worker(2), 1), (2, Worker(4), 1), (1, Alone(), 1),
                                 (16, Alone(), 4), (8, Worker(2), 2), (8, Worker(3), 1)]:
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid, cores=cores: set(range(cores)))
        assert _standby_depth(config) == depth, (cores, config)


@pytest.mark.parametrize("address", ["unix:///nonexistent.sock", "tcp://127.0.0.1:1"])
def test_an_unreachable_daemon_errors_docker_tests_at_setup_and_the_run_ends_normally(pytester, run_suite, monkeypatch,
                                                                                      address):
    monkeypatch.setenv("DOCKER_HOST", address)
    pytester.makepyfile(
        """
        import pytest

        def test_in_a_venv(iso_env):
            assert iso_env.run("true").exit_code == 0

        @pytest.mark.isolated(image="ptest-iso-test/busybox:latest")
        def test_in_a_container(iso_env):
            pass
        """
    )
    result = run_suite()
    result.assert_outcomes(passed=1, errors=1)
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output and "Traceback" not in output
    # The error is the setup's, names the address and what to do.
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_in_a_container*",
        f"E *DaemonUnavailable: cannot reach the Docker daemon at {address}*DOCKER_HOST*",
    ])
    result.stdout.re_match_lines([r"ptest-isolation: session pytest-\w+: 2 environments created.*", r".*1 passed, 1 error.*"])


def test_keep_failed_keeps_only_failing_tests_environments_and_says_how_to_reach_them(pytester, run_suite):
    pytester.makepyfile(
        """
        import pytest

        def test_passes(iso_env):
            assert iso_env.run("true").exit_code == 0

        def test_fails_in_a_venv(iso_env):
            assert iso_env.run("false").exit_code == 0

        @pytest.mark.isolated(
            image="ptest-iso-test/busybox:latest", ports=[8080],
            command=["sh", "-c", "echo service says hello; echo service warns >&2; exec sleep 100000"],
            wait_for=[{"log": "service warns", "times": 1}],
        )
        def test_fails_against_a_service(iso_env):
            assert iso_env.ports[8080] > 0
            assert False, "the service said no"
        """
    )
    result = run_suite("--iso-keep-failed")
    result.assert_outcomes(passed=1, failed=2)
    with iso.Manager(home=str(run_suite.home)) as manager:
        everything = {env.test_id: env for env in manager.list(live_only=False)}
        try:
            # Every environment records its test; only the failing tests' are left.
            ids = sorted(everything)
            assert [test_id.split("::")[1] for test_id in ids] == [
                "test_fails_against_a_service", "test_fails_in_a_venv", "test_passes"]
            passed = next(env for test_id, env in everything.items() if test_id.endswith("::test_passes"))
            assert passed.status == "destroyed"
            kept = [env for env in everything.values() if env.status != "destroyed"]
            assert len(kept) == 2 and all(env.spec["cleanup"] == "keep" for env in kept)
            service = next(env for env in kept if env.engine == "docker")
            venv = next(env for env in kept if env.engine == "virtualenv")
            home = str(run_suite.home)
            # The failing service test's report shows what the service wrote last.
            result.stdout.fnmatch_lines(["*ptest-isolation environments*", f"{service.id}  engine=docker*",
                                         "  container log (last 2 lines):"])
            # Docker copies stdout and stderr apart: their lines may come in either order.
            section = result.stdout.str().split("  container log (last 2 lines):\n", 1)[1].splitlines()[:2]
            assert sorted(section) == ["    service says hello", "    service warns"]
            # The report at the end: each kept environment, its test, ports, and commands to reach and remove it.
            result.stdout.fnmatch_lines([
                "ptest-isolation: kept 2 environments of session *",
                f"  {service.id}  docker  {service.location}",
                f"    test:   {service.test_id}",
                f"    ports:  8080 -> 127.0.0.1:{service.ports[8080]}",
                f"    reach:  ptest-iso run --home {home} {service.id} -- sh",
                f"            docker exec -it {service.location} sh",
                f"    remove: ptest-iso rm --home {home} {service.id}",
            ])
            result.stdout.fnmatch_lines([
                f"  {venv.id}  virtualenv  {venv.location}",
                f"    test:   {venv.test_id}",
                f"    reach:  ptest-iso run --home {home} {venv.id} -- sh",
                f"            . {venv.location}/venv/bin/activate",
                f"    remove: ptest-iso rm --home {home} {venv.id}",
            ])
            result.stdout.re_match_lines([r"ptest-isolation: session pytest-\w+: 3 environments created, 0 left behind"])
            assert service.run(["echo", "still here"]).stdout == "still here\n"
        finally:
            for env in everything.values():
                env.destroy(missing_ok=True)


def test_fresh_copy_snapshots_are_deleted_with_their_prepared_environment(pytester, run_suite):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def prepared(iso_module_factory):
            env = iso_module_factory()
            env.run("echo prepared > marker.txt", check=True)
            return env

        @pytest.mark.parametrize("round", range(2))
        def test_copy(iso_fresh_copy, prepared, iso_manager, round):
            copy = iso_fresh_copy(prepared)
            assert copy.run(["cat", "marker.txt"]).stdout == "prepared\\n"
            assert len(iso_manager.snapshots()) == 1
            assert copy.test_id.endswith(f"test_copy[{round}]")
        """,
        test_other="""
        def test_no_snapshot_left_by_the_first_module(iso_manager):
            assert iso_manager.snapshots() == []
        """,
    )
    result = run_suite()
    result.assert_outcomes(passed=3)
    with iso.Manager(home=str(run_suite.home)) as manager:
        assert manager.snapshots() == []
    snapshot_data = run_suite.home / "snapshots"
    assert not snapshot_data.exists() or os.listdir(snapshot_data) == []
