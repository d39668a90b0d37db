"""The venv scenarios' inputs, made offline on the host: three tiny wheels (as
examples/conftest.py makes its wheel house), and a venv with them installed by uv, which the
venv floor copies and which warms uv's cache before the first sample."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile

from common import PACKAGES

__all__ = ["PACKAGES", "find_uv", "make_wheels", "prepare_venv"]


def make_wheel(directory: str, name: str, version: str = "1.0.0") -> str:
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"NAME = {name!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: ptest-iso-suite-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    path = os.path.join(directory, f"{name}-{version}-py3-none-any.whl")
    record = []
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            data = text.encode()
            archive.writestr(member, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{member},sha256={digest},{len(data)}")
        record.append(f"{dist}/RECORD,,")
        archive.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return path


def make_wheels(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    for name in PACKAGES:
        make_wheel(directory, name)


def find_uv() -> str:
    """The uv binary next to the interpreter (a pyenv shim costs 100-400 ms per call), else PATH's."""
    beside = os.path.join(os.path.dirname(sys.executable), "uv")
    if os.access(beside, os.X_OK):
        return beside
    from shutil import which
    found = which("uv")
    if not found:
        raise FileNotFoundError("uv is not installed (scripts/python-tools.sh installs it)")
    return found


def prepare_venv(uv: str, path: str, wheels: str, env: dict[str, str]) -> None:
    """A venv with the packages, made as the uv suites make theirs (this also fills uv's cache)."""
    for args in (["venv", "--quiet", "--python", sys.executable, path],
                 ["pip", "install", "--quiet", "--python", os.path.join(path, "bin", "python"), "--offline",
                  "--no-index", "--find-links", wheels, *PACKAGES]):
        result = subprocess.run([uv, *args], capture_output=True, text=True, env=env, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"uv {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
