"""Every capability on every front: each public operation of the core's manager is
reachable through the C ABI, the CLI and the Python package, or the table below says
why not. A new core operation fails this test until it is placed on the fronts."""

from __future__ import annotations

import pathlib
import re
import subprocess

import pytest

import ptest_isolation as iso
from ptest_isolation import _cli

CORE = pathlib.Path(__file__).resolve().parents[2] / "Sources" / "IsolationCore"

#: core operation → (C ABI method, CLI command, Python attribute as "Class.name"); None with a reason in NOT_ON.
FRONTS: dict[str, tuple[str | None, str | None, str | None]] = {
    "create": ("create", "create", "Manager.create"),
    "get": ("get", "inspect", "Manager.get"),
    "list": ("list", "ls", "Manager.list"),
    "chooseEngine": ("choose_engine", None, "Manager.choose_engine"),
    "engines": ("engines", "engines", "Manager.engines"),
    "run": ("run", "run", "Environment.run"),
    "install": ("install", "install", "Environment.install"),
    "packages": ("packages", "packages", "Environment.packages"),
    "uninstall": ("uninstall", "uninstall", "Environment.uninstall"),
    "copyIn": ("copy_in", "cp", "Environment.copy_in"),
    "copyOut": ("copy_out", "cp", "Environment.copy_out"),
    "stop": ("stop", "stop", "Environment.stop"),
    "start": ("start", "start", "Environment.start"),
    "restart": ("restart", "restart", "Environment.restart"),
    "pause": ("pause", "pause", "Environment.pause"),
    "unpause": ("unpause", "unpause", "Environment.unpause"),
    "destroy": ("destroy", "rm", "Environment.destroy"),
    "remove": ("remove", "rm", "Environment.remove"),
    "destroySession": ("destroy_session", "cleanup", "Manager.destroy_session"),
    "destroyExpired": ("destroy_expired", "cleanup", "Manager.cleanup"),
    "cleanup": ("cleanup", "cleanup", "Manager.cleanup"),
    "logs": ("logs", "logs", "Environment.logs"),
    "followLogs": ("follow_logs", "logs", "Environment.follow_logs"),
    "runStreaming": ("run_stream", "run", "Environment.stream"),
    "interactive": (None, "run", None),
    "shell": (None, "shell", None),
    "stats": ("stats", "stats", "Environment.stats"),
    "events": (None, None, "Manager.on_event"),
    "snapshot": ("snapshot", "snapshot", "Environment.snapshot"),
    "snapshots": ("snapshots", "snapshot", "Manager.snapshots"),
    "restore": ("restore", "snapshot", "Manager.restore"),
    "deleteSnapshot": ("delete_snapshot", "snapshot", "Manager.delete_snapshot"),
    "exportSnapshot": ("export_snapshot", "snapshot", "Manager.export_snapshot"),
    "importSnapshot": ("import_snapshot", "snapshot", "Manager.import_snapshot"),
    "migrate": ("migrate", "migrate", "Environment.migrate"),
    "runJob": ("run_job", "job", "Manager.run_job"),
    "templates": ("templates", "cache", "Manager.templates"),
    "collectTemplates": ("collect_templates", "gc", "Manager.collect_templates"),
    "cachedImages": ("cached_images", "cache", "Manager.cached_images"),
    "gc": ("collect_images", "gc", "Manager.collect_images"),
    "waitForBackgroundWork": ("wait_for_background", None, "Manager.wait_for_background"),
    "waitForTeardown": ("wait_for_background", None, "Manager.wait_for_background"),
    "shutdown": ("shutdown", None, "Manager.close"),
    "holdSession": ("hold_session", None, "Manager.hold_session"),
    "stopStandbys": ("stop_standbys", None, "Manager.stop_standbys"),
    "configurePool": ("configure_pool", None, "Manager.configure_pool"),
    "acquire": ("acquire", None, "Manager.acquire"),
    "pools": ("pools", "pools", "Manager.pools"),
    "drainPool": ("drain_pool", None, "Manager.drain_pool"),
    # Every CLI command taking an environment or a snapshot resolves it with these.
    "resolve": (None, "inspect", None),
    "resolveAddress": (None, "run", None),
    "resolveSnapshot": (None, "snapshot", None),
}

#: Why an operation is missing from a front (front → operation → reason).
NOT_ON = {
    "abi": {
        "events": "a C callback, ptest_iso_set_event_callback, not a method",
        "resolve": "a program holds full ids; names and id prefixes are the command line's shorthand (docs/cli.md)",
        "resolveAddress": "a program holds full ids; names and id prefixes are the command line's shorthand (docs/cli.md)",
        "resolveSnapshot": "a program holds full ids; names and id prefixes are the command line's shorthand (docs/cli.md)",
        "interactive": "a terminal session sends input and resizes while it runs; the streaming call only returns output (not yet)",
        "shell": "as interactive: needs input and resizes across the ABI (not yet)",
    },
    "cli": {
        "chooseEngine": "`create` prints the engine it chose and why, as progress",
        "events": "`ptest-iso events` comes with the live CLI (issue 16)",
        "waitForBackgroundWork": "each command waits for its own work before it exits",
        "waitForTeardown": "each command waits for its own work before it exits",
        "shutdown": "each command shuts its manager down as it exits",
        "holdSession": "a command's session ends with the command (its environments are after-ttl or keep)",
        "stopStandbys": "a command's manager keeps no standbys: it makes one environment and exits",
        "configurePool": "a pool lives in a long-running manager (ptest-iso serve, a test process); a command's ends with it",
        "acquire": "a pool lives in a long-running manager; `create` of its spec against a server (--url) takes from it",
        "drainPool": "a pool lives in a long-running manager, which drains it as it closes",
    },
    "python": {
        "resolve": "a program holds full ids; names and id prefixes are the command line's shorthand (docs/cli.md)",
        "resolveAddress": "a program holds full ids; names and id prefixes are the command line's shorthand (docs/cli.md)",
        "resolveSnapshot": "a program holds full ids; names and id prefixes are the command line's shorthand (docs/cli.md)",
        "interactive": "needs the ABI first; a person gets a terminal from `ptest-iso run -it` / `ptest-iso shell`",
        "shell": "needs the ABI first; `ptest-iso shell ID` from a terminal",
    },
}

#: Public functions of the manager's files that are not operations. `open` makes a manager
#: (every front opens one: ptest_iso_open, each CLI command, `Manager()`).
NOT_OPERATIONS = {"validate", "defaultHome", "open"}


def _core_operations() -> set[str]:
    names: set[str] = set()
    for path in [*(CORE / "Manager").glob("IsolationManager*.swift"), CORE / "Cleanup" / "Cleanup.swift"]:
        names.update(re.findall(r"^\s+public (?:static )?func (\w+)", path.read_text(), re.MULTILINE))
    return names - NOT_OPERATIONS


def _abi_methods(manager: iso.Manager) -> set[str]:
    with pytest.raises(iso.UnknownMethod) as unknown:
        manager.call("no_such_method")
    return set(unknown.value.message.split("known: ", 1)[1].split(", "))


def _cli_commands() -> set[str]:
    text = subprocess.run([str(_cli.binary()), "--help"], capture_output=True, text=True, check=True).stdout
    section = text.split("SUBCOMMANDS:", 1)[1]
    return {name for line in section.splitlines() for name in re.findall(r"^  (\w[\w-]*)", line)}


def test_the_table_covers_every_core_operation() -> None:
    assert _core_operations() == set(FRONTS), "place the new operation on every front, or say in NOT_ON why not"


def test_every_front_reaches_every_operation(manager: iso.Manager) -> None:
    abi, cli = _abi_methods(manager), _cli_commands()
    classes = {"Manager": iso.Manager, "Environment": iso.Environment}
    for operation, (method, command, attribute) in FRONTS.items():
        for front, name, present in [("abi", method, abi), ("cli", command, cli)]:
            if name is None:
                assert operation in NOT_ON[front], f"{operation}: no {front} entry and no reason"
            else:
                assert name in present, f"{operation}: {front} has no {name!r}"
        if attribute is None:
            assert operation in NOT_ON["python"], f"{operation}: no Python entry and no reason"
        else:
            owner, name = attribute.split(".")
            assert callable(getattr(classes[owner], name, None)), f"{operation}: Python has no {attribute}"


def test_the_new_abi_methods_work_against_the_daemon(manager: iso.Manager) -> None:
    assert {engine["kind"] for engine in manager.engines()} == {"virtualenv", "docker"}
    env = manager.create(image="ptest-iso-test/busybox:latest", command=["sh", "-c", "echo to-out; echo to-err >&2; exec sleep 600"])
    assert env.run(["true"]).ok
    logs = env.logs()
    assert "to-out\n" in logs and "to-err\n" in logs
    assert env.logs(tail=1) in ("to-out\n", "to-err\n", "to-out\nto-err\n", "to-err\nto-out\n")
    with pytest.raises(iso.InvalidSpec, match="tail") as bad_tail:
        env.logs(tail=-1)
    assert bad_tail.value.field == "tail"
    assert env.stats()["memory_usage_bytes"] > 0
    env.pause()
    with pytest.raises(iso.IllegalTransition, match="force"):
        env.remove()
    env.remove(force=True)
    assert manager.get(env.id).status == "destroyed"
    env.remove(force=True)  # already destroyed: no error with force
    env.destroy(missing_ok=True)  # the core refuses in one step; missing_ok makes that no error
    with pytest.raises(iso.IllegalTransition):
        env.destroy()
    planned = manager.cleanup("session", dry_run=True)
    assert set(planned) >= {"environments", "containers", "skipped"}
    with pytest.raises(iso.InvalidArgument, match="scope") as bad:
        manager.cleanup("sometimes")
    assert bad.value.field == "scope"
