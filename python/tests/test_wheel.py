"""The built wheel installs and runs where no Swift toolchain is.

`scripts/test.sh` builds the wheel (`scripts/build-wheel.sh`) before the
Python tests; run alone, this test builds it itself. The wheel goes into a
fresh venv, and the check runs in a mount namespace whose /opt/swift is an
empty tmpfs: the toolchain's runtime libraries are not there to be found."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOLCHAIN = pathlib.Path("/opt/swift")

CHECK = """
import json, os, sys, tempfile
import ptest_isolation as iso
from ptest_isolation import _native
home = tempfile.mkdtemp()
manager = iso.Manager(home=home, cleanup=False)
with manager.environment() as env:
    result = env.python("print('inside')")
# Left behind on purpose, and the process ends as a killed one would: the reaper shipped in
# the wheel must remove the environment.
leftover = manager.create()
print(json.dumps({"library": _native.LIBRARY._name, "stdout": result.stdout, "version": iso.__version__,
                  "leftover": leftover.location}), flush=True)
os._exit(0)
"""


@pytest.fixture(scope="module")
def wheel() -> pathlib.Path:
    wheels = sorted((ROOT / "dist").glob("ptest_isolation-*.whl"))
    if not wheels:
        subprocess.run([str(ROOT / "scripts" / "build-wheel.sh")], check=True)
        wheels = sorted((ROOT / "dist").glob("ptest_isolation-*.whl"))
    assert wheels, "scripts/build-wheel.sh made no wheel"
    return wheels[-1]


def test_the_wheel_is_a_platform_wheel_carrying_the_runtime(wheel):
    assert wheel.name.endswith("linux_x86_64.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    libraries = {pathlib.PurePath(name).name for name in names if "/_lib/" in name}
    assert {"libCPtestIsolation.so", "ptest-iso", "libswiftCore.so", "libFoundation.so", "libdispatch.so"} <= libraries


def test_the_installed_wheel_runs_with_the_toolchain_hidden(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # Without PYTHONPATH: a checkout's python/ on it (with an editable install's egg-info) looks
    # installed to pip, which then installs nothing.
    clean = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", str(wheel)], check=True, env=clean)
    library = next((venv / "lib").glob("python*/site-packages/ptest_isolation/_lib/libCPtestIsolation.so"))
    runpath = subprocess.run(["readelf", "-d", str(library)], check=True, capture_output=True, text=True).stdout
    assert "[$ORIGIN]" in runpath and str(TOOLCHAIN) not in runpath
    exports = subprocess.run(["nm", "-D", "--defined-only", str(library)], check=True, capture_output=True, text=True).stdout
    assert {line.split()[-1] for line in exports.splitlines() if line.split()[1].isupper()} == {
        "ptest_iso_abi_version", "ptest_iso_protocol_version", "ptest_iso_version", "ptest_iso_open",
        "ptest_iso_close", "ptest_iso_call", "ptest_iso_call_streaming", "ptest_iso_set_event_callback", "ptest_iso_free",
    }
    assert shutil.which("unshare"), "util-linux's unshare hides the toolchain"
    hidden = subprocess.run(
        ["unshare", "-m", "sh", "-c", f'mount -t tmpfs none {TOOLCHAIN} && exec "$0" -c "$1"', str(venv / "bin" / "python"), CHECK],
        capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert hidden.returncode == 0, hidden.stderr
    report = json.loads(hidden.stdout.strip().splitlines()[-1])
    assert report["library"] == str(library)
    assert report["stdout"] == "inside\n"
    assert report["version"] == "0.1.0"
    # The CLI the wheel puts on PATH runs from the same bundled runtime.
    cli = subprocess.run(
        ["unshare", "-m", "sh", "-c", f'mount -t tmpfs none {TOOLCHAIN} && exec "$0" --version', str(venv / "bin" / "ptest-iso")],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert cli.returncode == 0 and cli.stdout.strip() == "0.1.0", cli.stderr
    leftover = pathlib.Path(report["leftover"])
    deadline = time.monotonic() + 30
    while leftover.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not leftover.exists(), "the wheel's reaper did not remove the environment left behind"
