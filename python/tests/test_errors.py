"""Each exception type, from a real cause."""

import ctypes

import pytest

import ptest_isolation as iso
from ptest_isolation import _native


def test_invalid_spec_is_caught_before_the_abi_and_by_the_core(manager):
    with pytest.raises(iso.InvalidSpec, match="python: 'three'"):
        manager.create(python="three")
    with pytest.raises(iso.InvalidSpec, match="ttl_seconds"):
        manager.create(ttl_seconds=-1)
    # The core checks what Python lets through (reserved label namespace).
    with pytest.raises(iso.InvalidSpec, match="labels: key 'ptest-iso.session'"):
        manager.create(labels={"ptest-iso.session": "x"})


def test_not_found_and_illegal_transition(manager):
    with pytest.raises(iso.NotFound, match="no environment 'env-nope'"):
        manager.get("env-nope")
    env = manager.create()
    env.stop()
    with pytest.raises(iso.IllegalTransition, match="is stopped"):
        env.run(["true"])
    env.destroy()
    with pytest.raises(iso.IllegalTransition):
        env.destroy()


def test_capacity_exceeded(tmp_path):
    with iso.Manager(home=str(tmp_path), max_live_environments=1) as manager:
        manager.create()
        with pytest.raises(iso.CapacityExceeded, match="cap is 1"):
            manager.create()


def test_engine_unavailable_and_interpreter_not_found(manager):
    with pytest.raises(iso.EngineUnavailable, match="engine: 'kubernetes' is not available; available: virtualenv, docker"):
        manager.call("create", spec={"engine": "kubernetes"})
    with pytest.raises(iso.InterpreterNotFound, match="found: "):
        manager.create(python=">=3.99")


def test_install_failed_carries_the_installer_output(manager, wheels):
    with manager.environment() as env:
        with pytest.raises(iso.InstallFailed, match="pti_missing") as caught:
            env.install("pti_missing", find_links=[str(wheels)], offline=True)
        assert caught.value.code == "installFailed"


def test_timeout_and_snapshot_failed(manager, tmp_path):
    with pytest.raises(iso.Timeout, match="did not finish within"):
        manager.create(with_pip=True, use_template_cache=False, timeout=0.001)
    bogus = tmp_path / "not-a-snapshot.tar"
    bogus.write_text("hello")
    with pytest.raises(iso.SnapshotFailed):
        manager.import_snapshot(bogus)


def test_storage_failure_names_the_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(iso.StorageFailure, match="PTEST_ISO_HOME"):
        iso.Manager(home=str(blocker / "home"))


def test_protocol_errors_are_errors_not_crashes(manager):
    with pytest.raises(iso.UnknownMethod, match="known: "):
        manager.call("frobnicate")
    with pytest.raises(iso.InvalidArgument, match="argv: required"):
        manager.call("run", id="x")
    with pytest.raises(iso.InvalidArgument, match="id: must be a string"):
        manager.call("get", id=5)
    output = ctypes.c_void_p()
    status = _native.LIBRARY.ptest_iso_call(manager._transport.handle, b"get", b"{not json", ctypes.byref(output))
    assert status == -1 and "not valid JSON" in _native._take(output)
    status = _native.LIBRARY.ptest_iso_call(manager._transport.handle, None, b"{}", ctypes.byref(output))
    assert status == -1 and "method is NULL" in _native._take(output)
    assert _native.LIBRARY.ptest_iso_call(manager._transport.handle, b"get", b"{}", None) == -1


def test_closed_and_foreign_handles_are_refused(tmp_path):
    manager = iso.Manager(home=str(tmp_path))
    handle = manager._transport.handle
    manager.close()
    with pytest.raises(iso.InvalidHandle):
        _native.call(handle, "session", {})
    with pytest.raises(iso.InvalidHandle):
        _native.call(0xDEADBEEF, "session", {})
    with pytest.raises(iso.InvalidHandle):
        _native.call(None, "session", {})
    with pytest.raises(iso.InvalidHandle):
        _native.close_manager(handle)


def test_every_error_is_an_isolation_error():
    assert all(issubclass(getattr(iso, name), iso.IsolationError) for name in iso.__all__
               if isinstance(getattr(iso, name), type) and issubclass(getattr(iso, name), Exception))


def test_daemon_unavailable_names_the_address(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-daemon.sock")
    with iso.Manager(home=str(tmp_path / "home")) as manager:
        with pytest.raises(iso.DaemonUnavailable, match="no-daemon.sock"):
            manager.create(iso.DockerSpec(image="ptest-iso-test/busybox:latest"))


def test_cancelled_and_io_failure_from_real_causes(manager, tmp_path):
    import threading
    import time

    with manager.environment() as env:
        outcome = {}

        def long_call():
            started = time.monotonic()
            try:
                env.run(["sh", "-c", "sleep 60 & sleep 61"])
                outcome["result"] = "finished"
            except iso.Cancelled as error:
                outcome["result"] = error
            outcome["seconds"] = time.monotonic() - started

        worker = threading.Thread(target=long_call)
        worker.start()
        deadline = time.monotonic() + 10
        cancelled = 0
        while cancelled == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
            cancelled = manager.cancel_all()
        worker.join(30)
        assert cancelled == 1
        assert isinstance(outcome["result"], iso.Cancelled), outcome
        assert outcome["seconds"] < 30
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        env.run("mkdir -p outdir && echo data > outdir/out.txt", check=True)
        with pytest.raises(iso.IOFailure, match="a-file"):
            env.copy_out("outdir", blocker)


def test_no_callback_runs_after_it_is_removed_even_with_events_queued(manager):
    # Events pile up behind a slow callback; removing it must wait for the call under way and
    # drop the queued ones, so Python may free the old thunk at once (it did crash before).
    import threading
    import time

    removed = threading.Event()
    late: list[str] = []
    seen: list[str] = []

    def slow(event):
        if removed.is_set():
            late.append(event.kind)
        seen.append(event.kind)
        time.sleep(0.05)  # keeps events queued behind it

    for round in range(3):
        manager.on_event(slow)
        envs = [manager.create() for _ in range(2)]
        for env in envs:
            env.destroy()
        manager.on_event(None)  # returns with events still queued for `slow`
        removed.set()
        # A positive signal that the queue has drained past everything queued for `slow`:
        # the next callback sees an event made after the removal.
        after = threading.Event()
        manager.on_event(lambda event: after.set())
        manager.create().destroy()
        assert after.wait(30)
        manager.on_event(None)
        removed.clear()
    assert seen, "the slow callback saw events"
    assert late == [], f"called after its removal: {late}"
