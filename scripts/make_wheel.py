#!/usr/bin/env python3
"""Writes a small pure-Python wheel with zipfile, so tests and benchmarks can
install real packages without a network.

    make_wheel.py NAME VERSION OUTDIR [MODULE_SOURCE]

The module is `NAME/__init__.py`; by default it holds `VERSION = "<version>"`.
Also importable: `make_wheel(directory, name, version, source=None)`."""

from __future__ import annotations

import base64
import hashlib
import pathlib
import sys
import zipfile


def make_wheel(directory: pathlib.Path, name: str, version: str, source: str | None = None) -> pathlib.Path:
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": source if source is not None else f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: ptest-iso\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    path = directory / f"{name}-{version}-py3-none-any.whl"
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


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    print(make_wheel(pathlib.Path(sys.argv[3]), sys.argv[1], sys.argv[2], sys.argv[4] if len(sys.argv) == 5 else None))
