"""`ptest-iso` on PATH for pip users: runs the CLI binary that sits beside
the library the package loads (shipped in `_lib/`, or the build folder in
a development checkout)."""

from __future__ import annotations

import os
import pathlib
import sys


def binary() -> pathlib.Path:
    from . import _native

    return pathlib.Path(_native.LIBRARY._name).resolve().parent / "ptest-iso"


def main() -> None:
    path = binary()
    if not os.access(path, os.X_OK):
        sys.exit(f"ptest-iso: the CLI binary is not at {path}; reinstall the package or run `swift build`")
    os.execv(str(path), [str(path), *sys.argv[1:]])
