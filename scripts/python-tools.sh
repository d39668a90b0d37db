#!/usr/bin/env bash
# The Python-side tools the tests and benchmarks drive: uv (the installer the
# virtualenv engine prefers, and the baseline its benchmark beats) and
# virtualenv (another baseline of bench/VenvBench), pytest and its plugins, and the
# baselines of bench/run-suite.sh. From PyPI, into the interpreter `python3` names; a
# fast no-op when all are present.
set -euo pipefail

# A python3 without pip (Debian's, when no pyenv is on PATH) gets Debian's pip.
# Such an interpreter is "externally managed"; these are test tools for it, so
# pip may install beside Debian's packages (older pips ignore the variable).
export PIP_BREAK_SYSTEM_PACKAGES=1
pip_flags=(--quiet --disable-pip-version-check)
if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "python-tools: installing python3-pip and python3-venv" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip python3-venv >/dev/null
fi

missing=()
command -v uv >/dev/null 2>&1 || missing+=(uv)
command -v virtualenv >/dev/null 2>&1 || missing+=(virtualenv)
# pytest and pytest-xdist run the Python package's tests and the examples.
python3 -c "import pytest" >/dev/null 2>&1 || missing+=(pytest)
python3 -c "import xdist" >/dev/null 2>&1 || missing+=(pytest-xdist)
# mypy checks that the typed package (py.typed) holds up under --strict.
python3 -c "import mypy" >/dev/null 2>&1 || missing+=(mypy)
# testcontainers and pytest-docker are the baselines of the suite benchmark (bench/run-suite.sh).
python3 -c "import testcontainers" >/dev/null 2>&1 || missing+=(testcontainers)
python3 -c "import pytest_docker" >/dev/null 2>&1 || missing+=(pytest-docker)
# docker-py: the suite benchmark's hand-written fixture and its daemon floor; matplotlib: its --charts.
python3 -c "import docker" >/dev/null 2>&1 || missing+=(docker)
python3 -c "import matplotlib" >/dev/null 2>&1 || missing+=(matplotlib)
# pytest-docker shells out to a compose command: Debian's docker-compose (v1) when neither
# it nor the `docker compose` plugin is there.
if ! command -v docker-compose >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
  echo "python-tools: installing docker-compose" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
# Real clients of the ready-made services (python/tests/test_services.py).
python3 -c "import psycopg" >/dev/null 2>&1 || missing+=("psycopg[binary]")
python3 -c "import redis" >/dev/null 2>&1 || missing+=(redis)
# schemathesis holds `ptest-iso serve` to its OpenAPI document (python/tests/test_server_contract.py).
python3 -c "import schemathesis" >/dev/null 2>&1 || missing+=(schemathesis)
# ptestx (PyPI; the ptest framework) drives our engines through its plugin
# registry in python/tests/test_ptest_integration.py. It declares Python >= 3.12
# while its isolation package runs on 3.11, hence --ignore-requires-python.
if ! python3 -c "import ptest.isolation.registry" >/dev/null 2>&1; then
  echo "python-tools: installing ptestx" >&2
  python3 -m pip install "${pip_flags[@]}" --ignore-requires-python ptestx
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "python-tools: installing ${missing[*]}" >&2
python3 -m pip install "${pip_flags[@]}" "${missing[@]}"
# pyenv puts new console scripts behind a shim only after a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
for tool in "${missing[@]}"; do
  case $tool in schemathesis|pytest|pytest-xdist|mypy|testcontainers|pytest-docker|docker|matplotlib|psycopg*|redis) continue ;; esac
  command -v "$tool" >/dev/null 2>&1 || { echo "python-tools: $tool installed but not on PATH" >&2; exit 1; }
done
