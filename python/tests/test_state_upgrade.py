"""A state database written before detail keys took the snake_case dialect is upgraded when a
manager opens it: the old environment is still found and removed whole, network and all."""

import json
import pathlib
import sqlite3
import subprocess

import ptest_isolation as iso

BUSYBOX = "ptest-iso-test/busybox:latest"
MIGRATION = "v4 snake_case detail keys"


def _network_exists(name: str) -> bool:
    found = subprocess.run(["docker", "network", "inspect", name], capture_output=True, text=True, check=False)
    return found.returncode == 0


def _write_as_an_older_version(database: pathlib.Path, environment: str) -> None:
    """Renames the environment's detail keys back to camelCase and unrecords the migration."""
    with sqlite3.connect(database) as db:
        (payload,) = db.execute("SELECT payload FROM environment WHERE id = ?", (environment,)).fetchone()
        record = json.loads(payload)
        details = record["details"]
        details["ownedNetwork"] = details.pop("owned_network")
        details["engineReason"] = details.pop("engine_reason")
        db.execute("UPDATE environment SET payload = ? WHERE id = ?", (json.dumps(record).encode(), environment))
        db.execute("DELETE FROM grdb_migrations WHERE identifier = ?", (MIGRATION,))


def test_an_older_databases_environment_is_removed_whole(tmp_path: pathlib.Path) -> None:
    home = tmp_path / "home"
    # The keeper holds the session (its reaper would otherwise end it) and removes nothing itself.
    keeper = iso.Manager(home=str(home), session="upgrade", cleanup=False)
    try:
        env = keeper.create(iso.DockerSpec(image=BUSYBOX, ports=[8080], mode="sandbox"))
        network = env.details["owned_network"]
        assert _network_exists(network)
        _write_as_an_older_version(home / "state.sqlite", env.id)

        with iso.Manager(home=str(home), session="upgrade") as reopened:
            upgraded = reopened.get(env.id)
            assert upgraded.details["owned_network"] == network
            assert "ownedNetwork" not in upgraded.details and "engineReason" not in upgraded.details
            assert "engine_reason" in upgraded.details
            upgraded.destroy()
        assert not _network_exists(network)
    finally:
        keeper.close()
