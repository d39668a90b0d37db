import base64
import hashlib
import os
import pathlib
import zipfile

import pytest

import ptest_isolation as iso

pytest_plugins = ["pytester"]


def make_wheel(directory: pathlib.Path, name: str, version: str) -> pathlib.Path:
    """A pure-Python wheel written with zipfile: installable offline."""
    directory.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: ptest-iso-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
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


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    directory = tmp_path_factory.mktemp("wheels")
    for name, version in [("pti_alpha", "1.0.0"), ("pti_beta", "2.0.0"), ("pti_gamma", "0.3.0")]:
        make_wheel(directory, name, version)
    return directory


@pytest.fixture
def manager(tmp_path: pathlib.Path):
    with iso.Manager(home=str(tmp_path / "home"), session="python-tests") as manager:
        yield manager
