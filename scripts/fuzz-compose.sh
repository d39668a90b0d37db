#!/usr/bin/env bash
# Fuzzes the compose loader for SECONDS (default 600) with mutations of Tests/ComposeCorpus:
# byte flips, YAML syntax, anchors and aliases, deep nesting, random keys and values, huge
# numbers. Each input is loaded in a child process with a per-input bound, so a crash or a hang
# fails the run and its input is saved under .build/compose-fuzz/findings (replay one with
# `compose-fuzz --seed S --replay N`). Extra arguments go to compose-fuzz (--seed, --per-input-seconds).
#
#   scripts/fuzz-compose.sh            # ten minutes, release build
#   scripts/fuzz-compose.sh 45 --debug # the bounded pass test.sh runs, with the debug build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-600}
shift || true
configuration=release
if [[ "${1:-}" == "--debug" ]]; then
  configuration=debug
  shift
fi

swift build -c "$configuration" --product ComposeFuzz >/dev/null
exec "$(swift build -c "$configuration" --show-bin-path)/ComposeFuzz" --seconds "$seconds" --corpus Tests/ComposeCorpus "$@"
