"""Leak checks after every suite: Docker resources by label, and venv directories.

Every container a suite makes carries the run's label; ptest-isolation's also carry the
session label (its networks and snapshot images too), a compose project its project label.
Venvs: the uv suites make theirs in a directory of their own, which must be empty after the
suite; ptest-isolation's live under ``PTEST_ISO_HOME/envs`` (and snapshots under
``snapshots``), which must be empty too."""

from __future__ import annotations

import os
import shutil
import subprocess

RUN_LABEL = "bench.ptest-iso.suite.run"

_LISTINGS = (
    ("container", ["ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Status}}"], ["ps", "-aq"], ["rm", "-f", "-v"]),
    ("network", ["network", "ls", "--format", "{{.ID}} {{.Name}}"], ["network", "ls", "-q"], ["network", "rm"]),
    ("volume", ["volume", "ls", "--format", "{{.Name}}"], ["volume", "ls", "-q"], ["volume", "rm", "-f"]),
    ("image", ["image", "ls", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"], ["image", "ls", "-q"], ["image", "rm", "-f"]),
)


class BenchError(Exception):
    """A failure of the run: a suite failed, something leaked, a tool is missing."""


def docker(*args: str, timeout: float = 60) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise BenchError(f"docker {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def label_filters(run_id: str, tag: str, plugin: bool, compose: bool, workers: int = 0) -> list[str]:
    """The label filters naming what one suite run made (a compose project per xdist worker,
    named after it, as pytest_docker_suite/conftest.py does)."""
    found = [f"label={RUN_LABEL}={run_id}"]
    if plugin:
        found.append(f"label=ptest-iso.session={tag}")
    if compose:
        projects = [f"{tag}gw{worker}" for worker in range(workers)] if workers else [tag]
        found.extend(f"label=com.docker.compose.project={project}" for project in projects)
    return found


def docker_leftovers(filters: list[str]) -> list[str]:
    left = set()
    for label in filters:
        for kind, listing, _, _ in _LISTINGS:
            for line in docker(*listing, "--filter", label).splitlines():
                if line.strip():
                    left.add(f"{kind} {line.strip()} ({label})")
    return sorted(left)


def remove_docker(filters: list[str]) -> None:
    """Removes what carries these labels (after a leak or an interruption), best effort."""
    for label in filters:
        for _, _, ids_listing, removal in _LISTINGS:
            try:
                ids = docker(*ids_listing, "--filter", label).split()
                if ids:
                    docker(*removal, *ids)
            except (BenchError, subprocess.TimeoutExpired):
                pass


def directory_leftovers(directories: list[str]) -> list[str]:
    """Entries left in directories that should be empty after a suite."""
    left: list[str] = []
    for directory in directories:
        if os.path.isdir(directory):
            left.extend(f"directory entry {os.path.join(directory, name)}" for name in sorted(os.listdir(directory)))
    return left


def empty_directories(directories: list[str]) -> None:
    for directory in directories:
        if os.path.isdir(directory):
            for name in os.listdir(directory):
                path = os.path.join(directory, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
