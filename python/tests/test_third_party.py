"""A third-party package's own test suite, run inside isolated environments.

The sdist of `six` is downloaded from PyPI at test time, built into a wheel
on the host, and installed offline — with pytest's wheels — into a
virtualenv and into a Docker container, where its own tests (`test_six.py`,
shipped in the sdist) must pass."""

import pathlib
import subprocess
import sys
import tarfile

import pytest

import ptest_isolation as iso

PACKAGE = "six==1.16.0"


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, pathlib.Path]:
    work = tmp_path_factory.mktemp("third-party")
    sdists, wheels, source = work / "sdist", work / "wheels", work / "source"
    pip("download", "--no-binary", ":all:", "--no-deps", PACKAGE, "-d", str(sdists))
    pip("download", "--only-binary", ":all:", "pytest", "-d", str(wheels))
    (sdist,) = sdists.glob("six-*.tar.gz")
    pip("wheel", "--no-deps", "-w", str(wheels), str(sdist))
    with tarfile.open(sdist) as archive:
        archive.extractall(source)
    # Only the tests: next to the sdist's six.py they would import it instead of the installed wheel.
    tests = work / "testing"
    tests.mkdir()
    (tests / "test_six.py").write_bytes(next(source.glob("six-*/test_six.py")).read_bytes())
    return wheels, tests


def run_suite(env: iso.Environment, wheels: pathlib.Path, tests: pathlib.Path) -> None:
    env.install("six", "pytest", find_links=[str(wheels)], offline=True)
    env.copy_in(tests)
    result = env.run(["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "testing"], timeout=300)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


def test_its_suite_passes_in_a_virtualenv(manager, suite):
    wheels, tests = suite
    # Debian's interpreter: six's suite imports dbm.ndbm, which the pyenv build on PATH lacks.
    with manager.environment(python="/usr/bin/python3") as env:
        run_suite(env, wheels, tests)


def test_its_suite_passes_in_a_docker_container(manager, suite):
    wheels, tests = suite
    with manager.environment(iso.DockerSpec(image="ptest-iso-test/python:bookworm")) as env:
        run_suite(env, wheels, tests)
