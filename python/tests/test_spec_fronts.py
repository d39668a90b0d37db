"""One schema, checked once: the same bad specs through Python, the C ABI and the CLI
give the same error code and name the same field."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

import ptest_isolation as iso
from ptest_isolation import _cli

BAD_SPECS: list[tuple[dict[str, Any], str]] = [
    ({"prots": [80], "image": "ptest-iso-test/busybox:latest"}, "prots"),
    ({"requirments": ["six"]}, "requirments"),
    ({"withPip": True}, "withPip"),
    ({"image": "ptest-iso-test/busybox:latest", "ports": [0]}, "ports[0]"),
    ({"image": "ptest-iso-test/busybox:latest", "ports": [80, 80]}, "ports[1]"),
    ({"ttl_seconds": 1e300}, "ttl_seconds"),
    ({"ttl_seconds": -5}, "ttl_seconds"),
    ({"image": "ptest-iso-test/busybox:latest", "ready_timeout_seconds": 1e300}, "ready_timeout_seconds"),
    ({"name": "n" * 5000}, "name"),
    ({"labels": {"ptest-iso.session": "x"}}, "labels"),
    ({"cleanup": "sometimes"}, "cleanup"),
    ({"python": "three"}, "python"),
    ({"image": "ptest-iso-test/busybox:latest", "resources": {"memroy": "1g"}}, "resources.memroy"),
    ({"image": "ptest-iso-test/busybox:latest", "resources": {"memory": "lots"}}, "resources.memory"),
    ({"image": "ptest-iso-test/busybox:latest", "resources": {"memory": "0"}}, "resources.memory"),
    ({"image": "ptest-iso-test/busybox:latest", "resources": {"cpus": "1.5m"}}, "resources.cpus"),
    ({"image": "ptest-iso-test/busybox:latest", "resources": {"memory": "99999999999999999999g"}}, "resources.memory"),
    ({"engine": "docker"}, "image"),
    ({"image": "ptest-iso-test/busybox:latest", "wait_for": [{"tcp": 70000}]}, "wait_for[0].tcp"),
    ({"image": "ptest-iso-test/busybox:latest", "volumes": [{"source": "rel/dir", "target": "/x"}]}, "volumes[0].source"),
    ({"image": "ptest-iso-test/busybox:latest", "secrets": [{"name": "A", "value": "b", "delivery": "env"}]}, "secrets[0].delivery"),
    ({"reuse": "yes"}, "reuse"),
    ({"reuse": True, "cleanup": "keep"}, "reuse"),
    ({"image": "ptest-iso-test/busybox:latest", "reuse": True, "secrets": [{"name": "A", "value": "b"}]}, "reuse"),
]


def _cli_error(spec: dict[str, Any], home: str) -> tuple[str, str | None]:
    """The CLI's exit code as a code name, and the field its one error line names."""
    result = subprocess.run(
        [str(_cli.binary()), "create", "--home", home, "--spec", "-"],
        input=json.dumps(spec), capture_output=True, text=True, timeout=120,
    )
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: "), result.stderr
    codes = {5: "invalidSpec", 4: "engineUnavailable", 70: "internal"}
    return codes.get(result.returncode, str(result.returncode)), line[len("Error: "):].split(": ", 1)[0]


@pytest.mark.parametrize(("spec", "field"), BAD_SPECS, ids=[field for _, field in BAD_SPECS])
def test_every_front_names_the_same_field(manager: iso.Manager, tmp_path: Any, spec: dict[str, Any], field: str) -> None:
    with pytest.raises(iso.InvalidSpec) as python_front:
        manager.create(spec)
    with pytest.raises(iso.InvalidSpec) as abi_front:
        manager.call("create", spec=spec)
    assert (python_front.value.code, python_front.value.field) == ("invalidSpec", field), python_front.value.message
    assert (abi_front.value.code, abi_front.value.field) == ("invalidSpec", field), abi_front.value.message
    assert _cli_error(spec, str(tmp_path / "cli-home")) == ("invalidSpec", field)
    # Nothing was recorded, let alone created, for a spec the core refused.
    assert manager.list() == []


def test_an_unknown_field_names_the_closest_known_one(manager: iso.Manager) -> None:
    with pytest.raises(iso.InvalidSpec, match=r"requirments: unknown field; did you mean 'requirements'\?"):
        manager.call("create", spec={"requirments": ["six"]})
    with pytest.raises(iso.InvalidSpec, match=r"did you mean 'with_pip'\?"):
        manager.call("create", spec={"withPip": True})
    with pytest.raises(iso.InvalidSpec, match=r"did you mean 'requirements'\?"):
        manager.create(requirments=["six"])


def test_unknown_request_fields_and_numbers_out_of_range_are_errors(manager: iso.Manager) -> None:
    with pytest.raises(iso.InvalidArgument, match="timeout_secs: unknown field; did you mean 'timeout_seconds'") as unknown:
        manager.call("create", spec={}, timeout_secs=5)
    assert unknown.value.field == "timeout_secs"
    env = manager.create()
    for timeout in (1e300, 0, -1):
        with pytest.raises(iso.InvalidSpec, match="timeout_seconds") as bad:
            env.run(["true"], timeout=timeout)
        assert bad.value.field == "timeout_seconds"
    with pytest.raises(iso.InvalidSpec, match="timeout_seconds"):
        manager.create(timeout=1e300)
    with pytest.raises(iso.InvalidArgument, match="config.default_ttl_seconds") as config:
        iso.Manager(home=manager.home, default_ttl_seconds=1e300)
    assert config.value.field == "config.default_ttl_seconds"
    with pytest.raises(iso.InvalidArgument, match="config.session"):
        iso.Manager(home=manager.home, session="s" * 500)
    env.destroy()


def test_the_documented_keyword_forms_work(manager: iso.Manager, wheels: Any) -> None:
    # `engine=` and `packages=` as the docs write them, with the core's JSON shape accepted too.
    with manager.environment(engine="virtualenv", packages=["pti_alpha"], find_links=[str(wheels)], offline=True) as env:
        assert env.packages()["pti_alpha"] == "1.0.0"
    spec = {"engine": "virtualenv", "environment": {"MODE": "json-shape"}}
    with manager.environment(spec) as env:
        assert env.run(["sh", "-c", "echo $MODE"]).stdout == "json-shape\n"


def test_methods_without_arguments_refuse_fields_and_echoes_stay_one_short_line(manager: iso.Manager) -> None:
    with pytest.raises(iso.InvalidArgument, match="x: unknown field; it takes no fields") as unknown:
        manager.call("engines", x=1)
    assert unknown.value.field == "x"
    # Foundation calls a whole number past 64 bits invalid JSON; the error says what it is, and where.
    with pytest.raises(iso.InvalidArgument, match="a number does not fit its field") as number:
        manager.call("logs", id="env-x", tail=1e300)
    assert number.value.field == "tail"
    with pytest.raises(iso.InvalidArgument, match="tail: must be a whole number, not 1.5") as fraction:
        manager.call("logs", id="env-x", tail=1.5)
    assert fraction.value.field == "tail"
    with pytest.raises(iso.InvalidSpec) as not_an_object:
        manager.call("create", spec="nope")
    assert not_an_object.value.field == "spec"
    with pytest.raises(iso.InvalidSpec) as test_id:
        manager.call("create", spec={}, test_id="t" * 5000)
    assert test_id.value.field == "test_id" and len(test_id.value.message) < 300
    with pytest.raises(iso.InvalidSpec) as huge:
        manager.call("create", spec={"image": "ptest-iso-test/busybox:latest", "mode": "m" * 100_000})
    assert huge.value.field == "mode" and len(huge.value.message) < 300 and "\n" not in huge.value.message
