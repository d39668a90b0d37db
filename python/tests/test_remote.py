"""The Python package as a client of a real `ptest-iso serve` on loopback: the same Manager and
Environment API, the same exception classes, and the pytest plugin's fixtures with `--iso-url`
across xdist workers — with nothing left on the server or in Docker afterwards."""

from __future__ import annotations

import os
import pathlib
import time

import pytest

import ptest_isolation as iso
from server_support import ALICE, BOB, Server

BUSYBOX = "ptest-iso-test/busybox:latest"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    server = Server(tmp_path_factory.mktemp("remote"))
    yield server
    assert server.stop() == 0
    assert server.containers() == [], "the server left containers behind"


@pytest.fixture
def remote(server: Server):
    with iso.Manager(url=server.url, token=ALICE) as manager:
        yield manager
    with iso.Manager(url=server.url, token=ALICE) as check:
        assert check.list(session=manager.session) == [], "the remote manager's with block left environments"


def test_a_container_through_the_server_runs_streams_copies_and_logs(remote: iso.Manager, tmp_path: pathlib.Path) -> None:
    assert remote.remote and remote.home.startswith("http://")
    env = remote.create(iso.DockerSpec(image=BUSYBOX, command=["sh", "-c", "echo booted; exec sleep 600"]))
    assert env.engine == "docker" and env.status == "ready"
    assert env.labels["ptest-iso-serve.owner"] == "alice"
    assert env.labels[iso.manager.REMOTE_SESSION_LABEL] == remote.session

    result = env.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")

    seen: list[tuple[str, str]] = []
    streamed = env.run(["sh", "-c", "echo one; echo two >&2"], stream=lambda chunk: seen.append((chunk.stream, chunk.text)) and None)
    assert streamed.exit_code == 0 and ("stdout", "one\n") in seen and ("stderr", "two\n") in seen
    with env.stream(["sh", "-c", "for i in 1 2 3; do echo $i; done"]) as output:
        text = "".join(chunk.text for chunk in output)
    assert text == "1\n2\n3\n" and output.result is not None and output.result.ok

    assert "booted" in env.logs()
    followed: list[str] = []

    def until_booted(chunk: iso.OutputChunk) -> bool:
        followed.append(chunk.text)
        return "booted" not in "".join(followed)

    with pytest.raises(iso.Cancelled):
        env.follow_logs(until_booted)

    # Files in and out travel in the requests: the server's machine sees no client path.
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "a.txt").write_text("alpha")
    (tree / "b.txt").write_text("beta")
    env.copy_in(tree, "in")
    assert env.run("cat in/sub/a.txt in/b.txt").stdout == "alphabeta"
    env.copy_in(tree / "b.txt", "renamed.txt")
    assert env.run("cat renamed.txt").stdout == "beta"
    out = tmp_path / "out"
    out.mkdir()
    env.copy_out("in", out)
    assert (out / "in" / "sub" / "a.txt").read_text() == "alpha"
    env.copy_out("renamed.txt", out / "single.txt")
    assert (out / "single.txt").read_text() == "beta"
    env.copy_out("in/.", out / "merged")
    assert sorted(p.name for p in (out / "merged").iterdir()) == ["b.txt", "sub"]

    env.destroy()
    assert env.status == "destroyed"
    with pytest.raises(iso.NotFound):
        remote.get("nonexistent-id")


def test_closing_a_stream_kills_the_command_on_the_server(remote: iso.Manager) -> None:
    env = remote.create(iso.DockerSpec(image=BUSYBOX))
    with env.stream(["sh", "-c", "echo started; exec sleep 600"]) as output:
        first = next(iter(output))
        assert first.text == "started\n"
    # The server notices the closed connection (its heartbeat write fails) and kills the command.
    deadline = time.monotonic() + 60
    while "sleep 600" in env.run("ps -o args").stdout:
        assert time.monotonic() < deadline, "the streamed command outlived its closed stream"
        time.sleep(0.2)
    env.destroy()


def test_a_venv_through_the_server(remote: iso.Manager) -> None:
    with remote.environment(iso.VenvSpec()) as env:
        assert env.engine == "virtualenv"
        assert env.python("import sys; print(sys.prefix != sys.base_prefix)").stdout == "True\n"


def test_errors_are_the_same_classes_with_the_same_codes(server: Server, remote: iso.Manager) -> None:
    with pytest.raises(iso.InvalidSpec) as invalid:
        remote.create(iso.DockerSpec(image=BUSYBOX, ports=[70000]))
    assert invalid.value.code == "invalidSpec" and invalid.value.field is not None and "ports" in invalid.value.field
    with pytest.raises(iso.InvalidSpec) as unknown:
        remote.call("create", spec={"image": BUSYBOX, "imagee": "x"})
    assert unknown.value.field == "imagee"
    # A path on the server's machine is refused, naming the field.
    with pytest.raises(iso.Forbidden) as bind:
        remote.create(iso.DockerSpec(image=BUSYBOX, volumes=[iso.Volume("/etc", "/host-etc")]))
    assert bind.value.field == "spec.volumes[0].source" and bind.value.status == 403
    with pytest.raises(iso.Forbidden):
        remote.call("copy_in", id="x", source="/etc/passwd")
    # What bob made is not found by alice.
    with iso.Manager(url=server.url, token=BOB) as bob:
        theirs = bob.create(iso.DockerSpec(image=BUSYBOX))
        with pytest.raises(iso.NotFound):
            remote.get(theirs.id)
        assert theirs.id not in {env.id for env in remote.list()}
        theirs.destroy()
    with pytest.raises(iso.Unauthorized) as unauthorized:
        iso.Manager(url=server.url, token="not-a-known-token-at-all")
    assert unauthorized.value.code == "unauthorized" and unauthorized.value.status == 401
    with pytest.raises(iso.ServerUnavailable, match="127.0.0.1:1"):
        iso.Manager(url="http://127.0.0.1:1", token=ALICE)
    with pytest.raises(iso.InvalidArgument) as bad_url:
        iso.Manager(url="ftp://example", token=ALICE)
    assert bad_url.value.field == "url"
    with pytest.raises(TypeError, match="engines"):
        iso.Manager(url=server.url, token=ALICE, engines="engines.json")


def test_destroy_session_removes_what_the_client_session_made(server: Server) -> None:
    with iso.Manager(url=server.url, token=ALICE, session="remote-test-a", cleanup=False) as first:
        made = [first.create(iso.DockerSpec(image=BUSYBOX)).id for _ in range(2)]
    with iso.Manager(url=server.url, token=ALICE, session="remote-test-b", cleanup=False) as other:
        kept = other.create(iso.DockerSpec(image=BUSYBOX))
        assert sorted(env.id for env in other.list(session="remote-test-a")) == sorted(made)
        assert sorted(other.destroy_session("remote-test-a")) == sorted(made)
        assert other.list(session="remote-test-a") == []
        assert [env.id for env in other.list(session="remote-test-b")] == [kept.id]
        kept.destroy()


def test_the_plugin_runs_a_suite_against_the_server_across_xdist_workers(server: Server, pytester: pytest.Pytester,
                                                                        tmp_path: pathlib.Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.parametrize("index", range(6))
        def test_venv(iso_env, index):
            assert iso_env.python("print(6 * 7)").stdout == "42\\n"

        @pytest.mark.parametrize("index", range(6))
        def test_container(iso_factory, index):
            env = iso_factory(engine="docker", image="{BUSYBOX}")
            assert env.run(["echo", str(index)]).stdout == f"{{index}}\\n"

        @pytest.fixture(scope="module")
        def prepared(iso_module_factory):
            env = iso_module_factory(engine="docker", image="{BUSYBOX}")
            env.run("echo ready > marker", check=True)
            return env

        def test_fresh_copy(iso_fresh_copy, prepared):
            assert iso_fresh_copy(prepared).run("cat marker").stdout == "ready\\n"
        """
    )
    token = tmp_path / "token"
    token.write_text(ALICE + "\n")
    monkeypatch.delenv("PTEST_ISO_SESSION", raising=False)
    # The owner's warm pools of the specs the fixtures make: the workers' creates take from them.
    with iso.Manager(url=server.url, token=ALICE) as owner:
        owner.configure_pool("suite-venvs", None, min=2, max=4)
        owner.configure_pool("suite-containers", None, min=2, max=4, engine="docker", image=BUSYBOX)
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-n", "2", f"--iso-url={server.url}", f"--iso-token-file={token}")
        result.assert_outcomes(passed=13)
        result.stdout.re_match_lines([r"ptest-isolation: session pytest-\w+: 14 environments created, 0 left behind"])
        pools = {p.name: p for p in owner.pools()}
        assert pools["suite-venvs"].hits >= 1 and pools["suite-containers"].hits >= 1, pools
        assert pools["suite-venvs"].hits + pools["suite-venvs"].misses == 6
        owner.drain_pool("suite-venvs")
        owner.drain_pool("suite-containers")
    with iso.Manager(url=server.url, token=ALICE) as check:
        assert [env for env in check.list() if env.labels.get(iso.manager.REMOTE_SESSION_LABEL, "").startswith("pytest-")] == []
        assert [s.name for s in check.snapshots() if "-prepared-" in s.name] == [], "iso_fresh_copy's snapshot was left"


def test_snapshots_through_the_server_are_the_owners_own(server: Server, remote: iso.Manager) -> None:
    env = remote.create(iso.DockerSpec(image=BUSYBOX))
    env.run("echo prepared > state.txt", check=True)
    snapshot = env.snapshot(name=f"alice-{remote.session}")
    assert snapshot.name in {s.name for s in remote.snapshots()}
    copy = remote.restore(snapshot)
    assert copy.run("cat state.txt").stdout == "prepared\n"
    with iso.Manager(url=server.url, token=BOB) as bob:
        assert snapshot.name not in {s.name for s in bob.snapshots()}
        with pytest.raises(iso.NotFound) as missing:
            bob.restore(snapshot.name)
        assert missing.value.field == "snapshot"
        with pytest.raises(iso.NotFound):
            bob.delete_snapshot(snapshot.name)
    with pytest.raises(iso.Forbidden):
        remote.export_snapshot(snapshot, "/tmp/x.tar")
    remote.delete_snapshot(snapshot)
    assert snapshot.name not in {s.name for s in remote.snapshots()}
    copy.destroy()
    env.destroy()
