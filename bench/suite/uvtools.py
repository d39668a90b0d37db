"""The uv suites' commands (venv_uv/, venv_tox_uv/): make a venv, install the packages offline from the wheels."""

import os
import subprocess

from common import PACKAGES, PYTHON, UV, WHEELS


def uv(*args: str) -> None:
    result = subprocess.run([UV, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"uv {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")


def make_venv(path: str) -> None:
    uv("venv", "--quiet", "--python", PYTHON, path)


def install(path: str, *extra: str) -> None:
    uv("pip", "install", "--quiet", "--python", os.path.join(path, "bin", "python"), "--offline", "--no-index",
       "--find-links", WHEELS, *extra, *PACKAGES)
