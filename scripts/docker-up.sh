#!/usr/bin/env bash
# Make sure a Docker daemon answers on the default socket, installing and
# starting Debian's docker.io where none does. Idempotent: a fast no-op when
# /_ping already answers. Also installs the tools the test images need.
set -euo pipefail

SOCK=${PTEST_ISO_DOCKER_SOCK:-/var/run/docker.sock}
LOG=${PTEST_ISO_DOCKERD_LOG:-/var/log/ptest-iso-dockerd.log}

ping_ok() {
  curl -fsS --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1
}

if ping_ok; then
  exit 0
fi

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need_pkgs+=(mmdebstrap)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || need_pkgs+=(busybox-static)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
command -v iptables >/dev/null 2>&1 || need_pkgs+=(iptables)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "docker-up: installing ${need_pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" file >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "docker-up: starting dockerd (log: $LOG)" >&2
  mkdir -p "$(dirname "$LOG")"
  # setsid: the daemon must outlive the shell (and CI step) that started it.
  (
    # A daemon that inherits a caller's pipe keeps it open for its whole
    # life, and a caller waiting for EOF would wait forever.
    for fd in $(ls /proc/$BASHPID/fd); do
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec setsid nohup dockerd -H "unix://$SOCK" >"$LOG" 2>&1 </dev/null
  ) &
fi

for _ in $(seq 1 120); do
  if ping_ok; then
    echo "docker-up: daemon ready on $SOCK" >&2
    exit 0
  fi
  sleep 0.5
done
echo "docker-up: dockerd did not answer on $SOCK within 60 s; last log lines:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
