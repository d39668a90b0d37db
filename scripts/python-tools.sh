#!/usr/bin/env bash
# The Python-side tools the tests and benchmarks drive: uv (the installer the
# virtualenv engine prefers, and the baseline its benchmark beats) and
# virtualenv (another baseline of bench/VenvBench). From PyPI, into the
# interpreter `python3` names; a fast no-op when both are present.
set -euo pipefail

missing=()
command -v uv >/dev/null 2>&1 || missing+=(uv)
command -v virtualenv >/dev/null 2>&1 || missing+=(virtualenv)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "python-tools: installing ${missing[*]}" >&2
python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}"
# pyenv puts new console scripts behind a shim only after a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
for tool in "${missing[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "python-tools: $tool installed but not on PATH" >&2; exit 1; }
done
