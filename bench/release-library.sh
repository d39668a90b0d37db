# Sourced by the Python-level benchmarks (run-suite.sh, run-compose.sh) from the repository
# root: points PTEST_ISO_LIB at the release build of the library, as a wheel ships it, building
# it first (a no-op after scripts/build-wheel.sh), unless PTEST_ISO_LIB is already set. A debug
# build would measure the compiler's checks.
if [[ -z "${PTEST_ISO_LIB:-}" ]]; then
  swift build -c release --product CPtestIsolation >&2
  PTEST_ISO_LIB="$(swift build -c release --show-bin-path)/libCPtestIsolation.so"
  export PTEST_ISO_LIB
fi
