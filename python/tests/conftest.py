import importlib.util
import pathlib

import pytest

import ptest_isolation as iso

pytest_plugins = ["pytester"]


def _load_make_wheel():
    """The repository's one wheel maker, `scripts/make_wheel.py`."""
    path = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "make_wheel.py"
    spec = importlib.util.spec_from_file_location("make_wheel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_wheel


make_wheel = _load_make_wheel()


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
