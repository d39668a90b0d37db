"""The package's build backend: setuptools, plus the Swift library.

A wheel build compiles `CPtestIsolation` and the `ptest-iso` binary (whose
hidden `reap` mode is the session reaper the library starts) in release
mode and ships, in `ptest_isolation/_lib`, both and every Swift runtime library
they link (found with `ldd` under the toolchain), each with its run path set
to `$ORIGIN` and its symbols stripped — so the wheel runs where no Swift
toolchain is installed. An editable install builds nothing: the loader
finds the repository's `.build` output.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403  (the other PEP 517 hooks)

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBRARY = "libCPtestIsolation.so"
# The session reaper is a mode of the CLI; the library starts the one beside it.
REAPER = "ptest-iso"
TARGET = ROOT / "python" / "ptest_isolation" / "_lib"


def _toolchain_dependencies(library: pathlib.Path) -> list[pathlib.Path]:
    """Shared libraries `library` loads from the Swift toolchain (not from the system)."""
    output = subprocess.run(["ldd", str(library)], check=True, capture_output=True, text=True).stdout
    found = []
    for match in re.finditer(r"=> (\S+) \(", output):
        path = pathlib.Path(match.group(1))
        if "/lib/swift/" in str(path):
            found.append(path)
    return found


def _bundle() -> None:
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir()
    for product in (LIBRARY, REAPER):
        shutil.copy2(ROOT / ".build" / "release" / product, TARGET / product)
    pending = [TARGET / LIBRARY, TARGET / REAPER]
    while pending:
        for dependency in _toolchain_dependencies(pending.pop()):
            copy = TARGET / dependency.name
            if not copy.exists():
                shutil.copy2(dependency, copy)
                pending.append(copy)
    for library in TARGET.iterdir():
        os.chmod(library, 0o755)
        subprocess.run(["patchelf", "--set-rpath", "$ORIGIN", str(library)], check=True)
        subprocess.run(["strip", "--strip-unneeded", str(library)], check=True)


def _build_library() -> None:
    if os.environ.get("PTEST_ISO_SKIP_SWIFT_BUILD"):
        return
    for product in ("CPtestIsolation", REAPER):
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)
    _bundle()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _build_library()
    try:
        return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
    finally:
        # The copy is for the wheel only: left in the tree, it would shadow `swift build`'s output
        # for an editable install.
        shutil.rmtree(TARGET, ignore_errors=True)
