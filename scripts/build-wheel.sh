#!/usr/bin/env bash
# Builds the platform wheel into dist/: the Swift library in release mode
# plus the Swift runtime it links, so it installs where no toolchain is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v patchelf >/dev/null 2>&1; then
  echo "build-wheel: installing patchelf" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends patchelf >/dev/null
fi
rm -rf dist
python3 -m pip wheel --quiet --disable-pip-version-check --no-deps -w dist .
ls dist/*.whl
