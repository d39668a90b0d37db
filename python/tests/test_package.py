"""The package's import: what it costs a process that never makes an environment, and that
every public name still arrives on first use."""

import json
import os
import subprocess
import sys


def _imported_after(statement: str) -> dict[str, bool]:
    probe = (f"{statement}\nimport json, sys\n"
             "print(json.dumps({name: name in sys.modules for name in "
             "('ptest_isolation._native', 'ptest_isolation.manager', 'ptest_isolation.services', 'ctypes')}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_importing_the_plugin_loads_neither_the_library_nor_the_modules_over_it():
    # pytest imports the plugin in every process of a run, the xdist controller included,
    # and in runs whose tests use no environment at all.
    loaded = _imported_after("import pytest, ptest_isolation.pytest_plugin")
    assert loaded == {"ptest_isolation._native": False, "ptest_isolation.manager": False,
                      "ptest_isolation.services": False, "ctypes": False}


def test_a_public_name_loads_what_it_needs_on_first_use():
    assert _imported_after("from ptest_isolation import Manager")["ptest_isolation._native"]
    assert _imported_after("import ptest_isolation\nptest_isolation.services")["ptest_isolation.services"]
    assert _imported_after("import ptest_isolation\nptest_isolation.VenvSpec")["ptest_isolation._native"] is False


def test_every_public_name_resolves_and_unknown_ones_are_attribute_errors():
    # In a fresh interpreter: pytester's in-process runs of other tests put back sys.modules
    # as it was, so a module imported during them is imported again later here.
    probe = """
import ptest_isolation as iso
for name in iso.__all__:
    assert getattr(iso, name) is not None, name
    assert name in dir(iso), name
assert isinstance(iso.__version__, str) and iso.__version__
assert iso.Manager is iso.manager.Manager and iso.services.Manager is iso.Manager
try:
    iso.NoSuchThing
except AttributeError as error:
    assert "NoSuchThing" in str(error), error
else:
    raise AssertionError("an unknown name must be an AttributeError")
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr
