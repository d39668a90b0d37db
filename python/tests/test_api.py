import json
import os
import pathlib
import threading

import pytest

import ptest_isolation as iso


def test_an_environment_is_a_real_isolated_venv(manager):
    with manager.environment() as env:
        assert env.status == "ready"
        assert env.engine == "virtualenv"
        result = env.python("import sys; assert sys.prefix != sys.base_prefix; print(sys.prefix)")
        assert result.ok
        assert result.stdout == f"{env.location}/venv\n"
    assert env.status == "destroyed"
    assert not os.path.exists(env.location)


def test_run_keeps_streams_apart_and_honours_env_cwd_stdin_and_timeouts(manager):
    with manager.environment(env={"FROM_SPEC": "spec"}) as env:
        env.run(["mkdir", "sub"], check=True)
        result = env.run("echo out; echo err >&2; echo $FROM_SPEC $FROM_CALL; pwd; cat; exit 3",
                         env={"FROM_CALL": "call"}, cwd="sub", stdin="typed\n")
        assert (result.exit_code, result.stderr) == (3, "err\n")
        assert result.stdout == f"out\nspec call\n{env.location}/work/sub\ntyped\n"
        slow = env.run(["sleep", "30"], timeout=0.5)
        assert slow.timed_out and slow.exit_code == 137
        assert env.last_result == slow


def test_packages_install_list_and_uninstall_from_local_wheels(manager, wheels):
    with manager.environment(requirements=["pti_alpha==1.0.0"], find_links=[str(wheels)], offline=True) as env:
        assert env.packages() == {"pti_alpha": "1.0.0"}
        env.install("pti_beta", find_links=[str(wheels)], offline=True)
        assert env.python("import pti_beta; print(pti_beta.VERSION)").stdout == "2.0.0\n"
        env.uninstall("pti_beta")
        assert "pti_beta" not in env.packages()
        with manager.environment() as other:
            assert not other.python("import pti_alpha").ok


def test_files_copy_in_and_out(manager, tmp_path):
    source = tmp_path / "project"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "main.py").write_text("print('from the project')\n")
    with manager.environment() as env:
        env.copy_in(source)
        assert env.run(["python", "project/pkg/main.py"]).stdout == "from the project\n"
        env.run("echo made inside > project/out.txt", check=True)
        env.copy_out("project/out.txt", tmp_path / "back")
        assert (tmp_path / "back").read_text() == "made inside\n"
        # docker cp's rule: into an existing directory under its own name; a directory onto a new path takes that name.
        env.copy_out("project/out.txt", tmp_path)
        assert (tmp_path / "out.txt").read_text() == "made inside\n"
        env.copy_in(source, "again")
        assert env.run(["python", "again/pkg/main.py"]).stdout == "from the project\n"
        env.copy_in(str(source) + "/.", "contents/")
        assert env.run(["python", "contents/pkg/main.py"]).stdout == "from the project\n"


def test_snapshot_restore_export_import(manager, wheels, tmp_path):
    with manager.environment(requirements=["pti_gamma"], find_links=[str(wheels)], offline=True) as env:
        env.run("echo original > state.txt", check=True)
        snapshot = env.snapshot("py-before")
        env.uninstall("pti_gamma")
        env.run("echo changed > state.txt", check=True)
        with manager.restore(snapshot) as restored:
            assert restored.packages() == {"pti_gamma": "0.3.0"}
            assert restored.run(["cat", "state.txt"]).stdout == "original\n"
    archive = tmp_path / "snap.tar"
    manager.export_snapshot("py-before", archive)
    manager.delete_snapshot("py-before")
    imported = manager.import_snapshot(archive, name="py-again")
    assert [s.name for s in manager.snapshots()] == ["py-again"]
    with manager.restore(imported) as again:
        assert again.run(["cat", "state.txt"]).stdout == "original\n"


def test_events_arrive_in_order_on_a_library_thread(manager):
    seen = []
    done = threading.Event()

    def on_event(event):
        seen.append((event.sequence, event.kind, threading.current_thread() is threading.main_thread()))
        if event.kind == "destroyed":
            done.set()

    manager.on_event(on_event)
    with manager.environment() as env:
        env.stop()
        env.start()
    assert done.wait(10)
    assert [kind for _, kind, _ in seen] == ["progress", "created", "stopped", "started", "destroyed"]
    assert [sequence for sequence, _, _ in seen] == sorted(sequence for sequence, _, _ in seen)
    assert not any(on_main for _, _, on_main in seen)


def test_calls_from_many_threads_at_once(manager):
    with manager.environment() as env:
        results = []

        def work(index):
            results.append(env.run(["sh", "-c", f"echo {index}"]).stdout)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == sorted(f"{i}\n" for i in range(16))


def test_engine_choice_and_listing(manager):
    assert manager.choose_engine()[0] == "virtualenv"
    with manager.environment(labels={"role": "db"}) as env:
        assert [e.id for e in manager.list(labels={"role": "db"})] == [env.id]
        assert manager.get(env.id).location == env.location
    assert manager.list(labels={"role": "db"}) == []
    assert "docker" in manager.doctor()


def test_a_context_managed_manager_destroys_what_it_made(tmp_path):
    home = tmp_path / "home"
    with iso.Manager(home=str(home), session="ctx") as manager:
        made = manager.create()
    with iso.Manager(home=str(home), session="ctx") as check:
        assert check.get(made.id).status == "destroyed"
        assert check.list(session="ctx") == []


def test_a_docker_environment_runs_in_a_limited_container(manager, wheels):
    spec = iso.DockerSpec(image="ptest-iso-test/python:bookworm", memory="256m", cpus="1", env={"MODE": "docker"})
    assert manager.choose_engine(spec)[0] == "docker"
    with manager.environment(spec) as env:
        assert env.engine == "docker"
        assert env.run("echo $MODE; cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes").stdout == f"docker\n{256 << 20}\n"
        env.install("pti_alpha", find_links=[str(wheels)], offline=True)
        assert env.packages()["pti_alpha"] == "1.0.0"
        assert env.python("import pti_alpha; print(pti_alpha.VERSION)").stdout == "1.0.0\n"


def test_docker_specs_are_checked_by_the_core(manager):
    # The Python classes only carry the fields: the core's rules decide, as for every front.
    with pytest.raises(iso.InvalidSpec, match="image: required") as missing:
        manager.create(iso.DockerSpec())
    assert missing.value.field == "image"
    with pytest.raises(iso.InvalidSpec, match="resources.memory: 'lots'") as lots:
        manager.create(iso.DockerSpec(image="ptest-iso-test/busybox:latest", memory="lots"))
    assert lots.value.field == "resources.memory"
    assert manager.list() == []


def test_docker_spec_fields_mounts_secrets_and_readiness(manager, tmp_path):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "hello.txt").write_text("from the host\n")
    spec = iso.DockerSpec(
        image="ptest-iso-test/busybox:latest",
        command=["sh", "-c", "echo service up; exec sleep 2147483647"],
        workdir="/srv",
        read_only_root=True,
        tmpfs=[iso.Tmpfs("/tmp", size="8m")],
        cap_drop=["ALL"],
        volumes=[iso.Volume("data", "/data"), iso.Volume(str(fixtures), "/fixtures", read_only=True)],
        secrets=[iso.Secret("API_TOKEN", "tok-py-123"), iso.Secret("db", "pw-py-456", delivery="file")],
        wait_for=[iso.WaitFor.log("^service up$"), iso.WaitFor.command(["test", "-d", "/data"])],
        ready_timeout_seconds=30,
    )
    assert "tok-py-123" not in repr(spec)
    with manager.environment(spec) as env:
        result = env.run('pwd; echo "$API_TOKEN"; cat /run/secrets/db; echo; cat /fixtures/hello.txt; '
                         'echo kept > /data/f && cat /data/f; touch /etc/x 2>/dev/null || echo read-only')
        assert result.stdout == "/srv\ntok-py-123\npw-py-456\nfrom the host\nkept\nread-only\n", result.stderr
        assert [secret["name"] for secret in env.spec["secrets"]] == ["API_TOKEN", "db"]
        assert "tok-py-123" not in json.dumps(env.spec) and "pw-py-456" not in json.dumps(env.spec)
    with pytest.raises(iso.Timeout, match=r"wait_for\[0\] \(tcp 5432\) did not pass"):
        manager.create(iso.DockerSpec(image="ptest-iso-test/busybox:latest", wait_for=[iso.WaitFor.tcp(5432)],
                                      ready_timeout_seconds=1, mode="sandbox"))
    with pytest.raises(iso.InvalidSpec, match=r"volumes\[0\]\.source: 'rel/dir' is a relative host path"):
        manager.create(iso.DockerSpec(image="ptest-iso-test/busybox:latest", volumes=[iso.Volume("rel/dir", "/x")]))


def test_published_ports_are_reachable_from_the_host(manager):
    import urllib.request

    # A sandbox: its httpd is started through run below.
    with manager.environment(iso.DockerSpec(image="ptest-iso-test/busybox:latest", ports=[8080], mode="sandbox")) as env:
        env.run("mkdir -p /tmp/www && echo hello-port > /tmp/www/index.html && (httpd -p 8080 -h /tmp/www &)", check=True)
        host_port = env.ports[8080]
        body = None
        for _ in range(50):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{host_port}/index.html", timeout=2).read().decode()
                break
            except OSError:
                import time

                time.sleep(0.1)
        assert body == "hello-port\n"
    with pytest.raises(iso.InvalidSpec, match="ports") as bad:
        manager.create(iso.DockerSpec(image="x", ports=[0]))
    assert bad.value.field == "ports[0]"


def test_a_container_pauses_restarts_and_a_venv_migrates_into_one(manager, wheels, tmp_path):
    with manager.environment(iso.DockerSpec(image="ptest-iso-test/busybox:latest")) as env:
        env.pause()
        assert env.refresh().status == "paused"
        with pytest.raises(iso.IllegalTransition):
            env.run("true")
        env.unpause()
        env.restart()
        assert env.run("echo back").stdout == "back\n"
    # The Debian interpreter, as the image's: migration keeps the minor version.
    spec = iso.VenvSpec(python="/usr/bin/python3", requirements=["pti_alpha==1.0.0"], find_links=[str(wheels)], offline=True)
    with manager.environment(spec) as venv:
        (tmp_path / "notes.txt").write_text("carried over\n")
        venv.copy_in(tmp_path / "notes.txt")
        with venv.migrate(image="ptest-iso-test/python:bookworm") as container:
            assert container.engine == "docker"
            assert container.packages()["pti_alpha"] == "1.0.0"
            assert container.run("cat notes.txt").stdout == "carried over\n"
