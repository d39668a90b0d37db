"""Everything the chosen scenarios need, checked before the first sample; what was found."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

import wheels
from leaks import BenchError, docker


def compose_command() -> list[str]:
    if os.environ.get("BENCH_COMPOSE"):
        return os.environ["BENCH_COMPOSE"].split()
    return ["docker-compose"] if shutil.which("docker-compose") else ["docker", "compose"]


def preflight(image: str, scenarios: list[str], charts: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        found["daemon"] = docker("version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})").strip()
    except (BenchError, OSError) as error:
        raise BenchError(f"no Docker daemon answers: {error}") from error
    try:
        docker("image", "inspect", "--format", "{{.Id}}", image)
    except BenchError:
        raise BenchError(f"image {image} is not on this machine (nothing is pulled): run scripts/test-images.sh") from None
    modules = ["ptest_isolation", "testcontainers", "pytest_docker", "docker", "xdist", "pytest"]
    distributions = ["testcontainers", "pytest-docker", "docker", "pytest-xdist", "pytest"]
    if charts:
        modules.append("matplotlib")
        distributions.append("matplotlib")
    probe = subprocess.run(
        [sys.executable, "-c",
         f"import {', '.join(modules)}, importlib.metadata as m\n"
         "from ptest_isolation import _native\n"
         f"print(_native.version(), *(m.version(d) for d in {distributions!r}))"],
        capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        raise BenchError("the suites' packages do not import (scripts/python-tools.sh installs the other tools; "
                         "ptest_isolation needs `pip install -e .` or PYTHONPATH=python with PTEST_ISO_LIB):\n"
                         f"{probe.stderr.strip()}")
    versions = probe.stdout.split()
    found["ptest_isolation"] = versions[0]
    found.update(dict(zip(distributions, versions[1:])))
    found["library"] = os.environ.get("PTEST_ISO_LIB", "as installed")
    if "http" in scenarios:
        compose = compose_command()
        version = subprocess.run([*compose, "version"], capture_output=True, text=True, timeout=60)
        if version.returncode != 0:
            raise BenchError(f"`{' '.join(compose)} version` failed (apt-get install docker-compose): {version.stderr.strip()}")
        found["compose"] = " ".join(compose) + ": " + version.stdout.strip().splitlines()[0]
    if "venv" in scenarios or "snapshot" in scenarios:
        try:
            uv = wheels.find_uv()
        except FileNotFoundError as error:
            raise BenchError(str(error)) from None
        found["uv"] = subprocess.run([uv, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    found["python"] = sys.version.split()[0]
    return found
