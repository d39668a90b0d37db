"""The package's build backend: setuptools, plus the Swift library.

A wheel build compiles `CPtestIsolation` in release mode and ships the
shared library inside the package (`ptest_isolation/_lib`). An editable
install builds nothing: the loader finds the repository's `.build` output.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403  (the other PEP 517 hooks)

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBRARY = "libCPtestIsolation.so"


def _build_library() -> None:
    if os.environ.get("PTEST_ISO_SKIP_SWIFT_BUILD"):
        return
    subprocess.run(["swift", "build", "-c", "release", "--product", "CPtestIsolation"], cwd=ROOT, check=True)
    target = ROOT / "python" / "ptest_isolation" / "_lib"
    target.mkdir(exist_ok=True)
    shutil.copy2(ROOT / ".build" / "release" / LIBRARY, target / LIBRARY)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _build_library()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
