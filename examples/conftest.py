"""The example suite's shared pieces: a local wheel house, so the examples
install real packages without a network."""

import base64
import hashlib
import pathlib
import zipfile

import pytest


def _wheel(directory: pathlib.Path, name: str, version: str, source: str) -> None:
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": source,
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: ptest-iso-examples\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    with zipfile.ZipFile(directory / f"{name}-{version}-py3-none-any.whl", "w") as archive:
        for member, text in files.items():
            data = text.encode()
            archive.writestr(member, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{member},sha256={digest},{len(data)}")
        record.append(f"{dist}/RECORD,,")
        archive.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory = tmp_path_factory.mktemp("wheelhouse")
    _wheel(directory, "greeter", "1.0.0", "def greet(name):\n    return f'hello, {name}'\n")
    _wheel(directory, "greeter", "2.0.0", "def greet(name):\n    return f'HELLO, {name.upper()}'\n")
    _wheel(directory, "counter", "0.1.0", "COUNT = 0\n")
    return str(directory)
