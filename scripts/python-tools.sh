#!/usr/bin/env bash
# The Python-side tools the tests and benchmarks drive: uv (the installer the
# virtualenv engine prefers, and the baseline its benchmark beats). From PyPI,
# into the interpreter `python3` names; a fast no-op when present.
set -euo pipefail

if command -v uv >/dev/null 2>&1; then
  exit 0
fi
echo "python-tools: installing uv" >&2
python3 -m pip install --quiet --disable-pip-version-check uv
# pyenv puts new console scripts behind a shim only after a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
command -v uv >/dev/null 2>&1 || { echo "python-tools: uv installed but not on PATH" >&2; exit 1; }
