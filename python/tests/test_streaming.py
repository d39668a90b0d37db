"""Streamed output through the C ABI, on both engines: chunks arrive while the command still
runs (it waits for a file the test makes only after seeing them), apart and in order, and
leaving early kills the command. No sleep stands in for a proof."""

from __future__ import annotations

import time

import pytest

import ptest_isolation as iso

BUSYBOX = "ptest-iso-test/busybox:latest"
UNTIL_RELEASED = "while [ ! -e release ]; do sleep 0.02; done"


@pytest.fixture(params=["virtualenv", "docker"])
def env(request: pytest.FixtureRequest, manager: iso.Manager) -> iso.Environment:
    spec = iso.DockerSpec(image=BUSYBOX) if request.param == "docker" else iso.VenvSpec()
    environment = manager.create(spec)
    assert environment.engine == request.param
    return environment


def _alive(env: iso.Environment, pid: int) -> bool:
    """Whether ``pid`` is a live process (not a zombie) where the environment runs commands."""
    if env.engine == "docker":
        stat = env.run(["cat", f"/proc/{pid}/stat"]).stdout
    else:
        try:
            with open(f"/proc/{pid}/stat") as file:
                stat = file.read()
        except FileNotFoundError:
            return False
    return bool(stat) and not stat.rsplit(")", 1)[1].strip().startswith("Z")


def _gone(env: iso.Environment, pid: int) -> bool:
    deadline = time.monotonic() + 10
    while _alive(env, pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not _alive(env, pid)


def test_the_iterator_yields_chunks_before_the_command_ends(env: iso.Environment) -> None:
    script = f"echo one; echo err-one >&2; {UNTIL_RELEASED}; echo two; echo err-two >&2; exit 3"
    chunks: list[iso.OutputChunk] = []
    with env.stream(script) as output:
        for chunk in output:
            chunks.append(chunk)
            if chunk.stream == "stdout" and "one" in chunk.text:
                env.run(["touch", "release"])  # the command cannot end before this
    assert b"".join(c.data for c in chunks if c.stream == "stdout") == b"one\ntwo\n"
    assert b"".join(c.data for c in chunks if c.stream == "stderr") == b"err-one\nerr-two\n"
    assert output.result is not None
    assert output.result.exit_code == 3 and not output.result.timed_out
    assert output.result.stdout == "one\ntwo\n" and output.result.stderr == "err-one\nerr-two\n"


def test_the_callback_form_sees_chunks_as_they_come(env: iso.Environment) -> None:
    seen: list[tuple[str, str]] = []

    def on_output(chunk: iso.OutputChunk) -> None:
        seen.append((chunk.stream, chunk.text))
        if chunk.text == "ready\n":
            env.run(["touch", "release"])  # a call into the library from inside the callback

    result = env.run(f"echo ready; {UNTIL_RELEASED}; echo done", stream=on_output)
    assert seen == [("stdout", "ready\n"), ("stdout", "done\n")]
    assert result.ok and result.stdout == "ready\ndone\n"


def test_a_timeout_kills_a_streamed_command(env: iso.Environment) -> None:
    with env.stream("echo started; sleep 300 & wait", timeout=1) as output:
        texts = [chunk.text for chunk in output]
    assert texts == ["started\n"]
    assert output.result is not None and output.result.timed_out


def test_leaving_the_iterator_early_kills_the_command_and_its_children(env: iso.Environment) -> None:
    with env.stream(f"sleep 300 & echo $!; {UNTIL_RELEASED}") as output:
        pid = int(next(output).text)
    assert output.result is None
    assert _gone(env, pid), f"the command's child {pid} outlived the stream"
    assert env.run(["true"]).ok


def test_a_callback_returning_false_stops_the_command(env: iso.Environment) -> None:
    pids: list[int] = []

    def first_only(chunk: iso.OutputChunk) -> bool:
        pids.append(int(chunk.text))
        return False

    with pytest.raises(iso.Cancelled, match="callback"):
        env.run(f"sleep 300 & echo $!; {UNTIL_RELEASED}", stream=first_only)
    assert len(pids) == 1 and _gone(env, pids[0])


def test_an_exception_in_the_callback_stops_the_command_and_is_raised(env: iso.Environment) -> None:
    def explode(chunk: iso.OutputChunk) -> None:
        raise KeyError(chunk.text)

    with pytest.raises(KeyError, match="boom"):
        env.run(f"echo boom; {UNTIL_RELEASED}", stream=explode)


def test_streaming_errors_are_the_usual_exceptions(manager: iso.Manager) -> None:
    env = manager.create(iso.VenvSpec())
    with pytest.raises(iso.InvalidSpec, match="argv"):
        env.run([], stream=lambda chunk: None)
    with pytest.raises(iso.InvalidArgument, match="ptest_iso_call_streaming"):
        manager.call("run_stream", id=env.id, argv=["true"])
    env.destroy()
    with pytest.raises(iso.IllegalTransition):
        list(env.stream(["true"]))


def test_following_a_log_sees_what_is_written_and_stops_on_false(manager: iso.Manager) -> None:
    env = manager.create(iso.DockerSpec(image=BUSYBOX, command=["sh", "-c", "echo hello; exec sleep 600"]))
    seen: list[str] = []

    def until_written(chunk: iso.OutputChunk) -> bool:
        seen.append(chunk.text)
        if "hello" in chunk.text:
            # Written now, while the log is followed: it must arrive too.
            env.run(["sh", "-c", "echo later > /proc/1/fd/1"])
        return "later" not in "".join(seen)

    with pytest.raises(iso.Cancelled):
        env.follow_logs(until_written)
    assert "".join(seen) == "hello\nlater\n"
