#!/usr/bin/env bash
# Two local image registries (Debian's CNCF distribution, package
# docker-registry) so `docker pull`/`docker push` can be tested for real with
# no public registry reachable:
#
#   open  127.0.0.1:5000  anyone may push and pull
#   auth  127.0.0.1:5001  htpasswd basic auth, user ptest / ptest-secret
#
#   registry.sh start   start both (no-op if both already answer)
#   registry.sh stop    stop both; the pushed images stay on disk
#   registry.sh env     print the export lines tests read
#
# Overrides: PTEST_ISO_REGISTRY_DIR (/tmp/ptest-iso-registry),
# PTEST_ISO_REGISTRY_PORT (5000), PTEST_ISO_REGISTRY_AUTH_PORT (5001).
#
# Plain HTTP is enough: dockerd treats 127.0.0.0/8 as an insecure registry
# range by default (`docker info` lists it), so no certs and no daemon.json
# change are needed. Both listen on loopback only.
set -euo pipefail

DIR=${PTEST_ISO_REGISTRY_DIR:-/tmp/ptest-iso-registry}
PORT=${PTEST_ISO_REGISTRY_PORT:-5000}
AUTH_PORT=${PTEST_ISO_REGISTRY_AUTH_PORT:-5001}
HOST=127.0.0.1
USER_NAME=ptest
PASSWORD=ptest-secret
BIN=/usr/bin/docker-registry

die() { echo "registry: $*" >&2; exit 1; }
# close_inherited_fds, pid_from.
. "$(dirname "${BASH_SOURCE[0]}")/lib/daemons.sh"

# HTTP status of GET /v2/ ("000" when nothing answers). Only a response that
# carries the distribution API header counts, so some other web server on the
# port is not mistaken for a registry.
v2_status() {
  local port=$1; shift
  local out
  out=$(curl -sS --max-time 2 -o /dev/null -D - -w '%{http_code}' "$@" \
    "http://$HOST:$port/v2/" 2>/dev/null) || { echo 000; return 0; }
  if grep -qi '^docker-distribution-api-version: registry/2.0' <<<"$out"; then
    echo "${out##*$'\n'}"
  else
    echo 000
  fi
}

# open: 200 for anyone. auth: 401 without credentials, 200 with them (a 200
# without credentials would mean auth is off, i.e. not our auth registry).
open_ok() { [ "$(v2_status "$PORT")" = 200 ]; }
auth_ok() {
  [ "$(v2_status "$AUTH_PORT")" = 401 ] &&
    [ "$(v2_status "$AUTH_PORT" -u "$USER_NAME:$PASSWORD")" = 200 ]
}

# Echo the pid from $1's pidfile only if it is still a docker-registry serving
# $1's config: a stale file must not make us signal an unrelated process that
# reused the pid.
registry_pid() {
  local name=$1 pid
  pid=$(pid_from "$DIR/$name/registry.pid" docker-registry) &&
    [[ $(cmdline "$pid") == *" $DIR/$name/config.yml"* ]] && echo "$pid"
}

# No `tr | grep -q` here: with pipefail, grep quitting early can fail the pipe.
cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# kill -0 also succeeds on a zombie, and a registry started by an earlier run
# is reparented to pid 1, which may take seconds to reap it (here it does).
running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# The package's own service (init script or systemd unit) would serve
# /etc/docker/registry/config.yml on :5000 (all interfaces) as user
# docker-registry: the wrong config on our port. We never use it. In this
# container policy-rc.d (exit 101) already blocks the start, but on a host
# without it invoke-rc.d would start it during apt-get install.
disable_system_service() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  fi
  if [ -x /etc/init.d/docker-registry ]; then
    # Turns the S* boot links the package made into K* links, so a reboot
    # does not bring it back.
    update-rc.d docker-registry disable >/dev/null 2>&1 || true
    # Its pidfile outlives it (start-stop-daemon leaves it), so check the pid
    # is still a docker-registry and not one of ours that reused the number.
    local pid
    pid=$(cat /var/run/docker-registry.pid 2>/dev/null) || pid=
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = docker-registry ] &&
      [[ $(cmdline "$pid") != *" $DIR/"* ]]; then
      echo "registry: stopping the docker-registry system service (pid $pid)" >&2
      /etc/init.d/docker-registry stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
      # start-stop-daemon --stop does not wait; the port must be free before
      # we bind it.
      for _ in $(seq 1 50); do
        running "$pid" || break
        sleep 0.1
      done
      running "$pid" && kill -KILL "$pid" 2>/dev/null || true
      rm -f /var/run/docker-registry.pid
    fi
  fi
}

install_pkgs() {
  local need=()
  [ -x "$BIN" ] || need+=(docker-registry)
  # htpasswd -B: the registry only accepts bcrypt entries, and openssl passwd
  # cannot make those (it knows md5/apr1/sha-crypt only).
  command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v ss >/dev/null 2>&1 || need+=(iproute2)
  [ ${#need[@]} -eq 0 ] && return 0
  echo "registry: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
    die "could not install ${need[*]} with apt-get"
  fi
}

# $1 name (open|auth), $2 port. Fresh config on every real start, so no run
# depends on leftovers; the storage dir is kept.
write_config() {
  local name=$1 port=$2 d=$DIR/$1
  mkdir -p "$d/data"
  # http.secret signs upload state; without one the registry makes a random
  # one and logs a warning on every start.
  {
    cat <<EOF
version: 0.1
log:
  level: info
  fields:
    service: ptest-iso-registry-$name
storage:
  filesystem:
    rootdirectory: $d/data
  # Lets tests delete what they pushed (DELETE /v2/<name>/manifests/<digest>).
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  # Loopback only. No http.debug section: upstream's sample config puts the
  # debug server on :5001, which is where the auth registry lives.
  addr: $HOST:$port
  secret: $(openssl rand -hex 16)
  headers:
    X-Content-Type-Options: [nosniff]
EOF
    if [ "$name" = auth ]; then
      cat <<EOF
auth:
  htpasswd:
    realm: ptest-iso-registry
    path: $d/htpasswd
EOF
    fi
  } >"$d/config.yml"
  if [ "$name" = auth ]; then
    # Written before the registry starts: with no file it would create one
    # holding a random "admin" password instead. Read once, at startup.
    htpasswd -Bbn "$USER_NAME" "$PASSWORD" >"$d/htpasswd"
    chmod 600 "$d/htpasswd"
  fi
}

# $1 name, $2 port, $3 readiness check (function name), $4 port's override variable.
start_one() {
  local name=$1 port=$2 ready=$3 var=$4 d=$DIR/$1 pid
  "$ready" && return 0
  # Ours but not answering: wedged, replace it.
  if registry_pid "$name" >/dev/null; then stop_one "$name"; fi
  if [ -n "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]; then
    ss -ltnpH "sport = :$port" >&2 || true
    die "port $port is taken by something else (see above); set $var"
  fi
  write_config "$name" "$port"
  echo "registry: starting $name registry on $HOST:$port (log: $d/registry.log)" >&2
  # setsid: it must outlive the shell (and CI step) that started it.
  # REGISTRY_* variables override config keys; a caller's must not leak in.
  (
    close_inherited_fds
    for v in $(compgen -e | grep '^REGISTRY_' || true); do unset "$v"; done
    exec setsid nohup "$BIN" serve "$d/config.yml" >"$d/registry.log" 2>&1 </dev/null
  ) &
  # In a non-interactive shell the subshell is no process-group leader, so
  # setsid does not fork and $! is the registry's own pid after the execs.
  pid=$!
  echo "$pid" >"$d/registry.pid"
  for _ in $(seq 1 60); do
    if "$ready"; then
      registry_pid "$name" >/dev/null || die "$name registry answers on $port but pid $pid is not it"
      echo "registry: $name ready on $HOST:$port" >&2
      return 0
    fi
    running "$pid" || break  # died: no point waiting out the 30 s
    sleep 0.5
  done
  echo "registry: $name registry did not come up on $HOST:$port within 30 s; last log lines:" >&2
  tail -n 30 "$d/registry.log" >&2 || true
  exit 1
}

stop_one() {
  local name=$1 pid
  if pid=$(registry_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    # No http.draintimeout is set, so it exits at once on TERM.
    for _ in $(seq 1 100); do
      running "$pid" || break
      sleep 0.1
    done
    if running "$pid"; then
      echo "registry: $name registry $pid ignored TERM for 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$DIR/$name/registry.pid"
}

start() {
  if open_ok && auth_ok; then
    return 0
  fi
  [ "$PORT" != "$AUTH_PORT" ] || die "PTEST_ISO_REGISTRY_PORT and _AUTH_PORT are both $PORT"
  install_pkgs
  disable_system_service
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  start_one open "$PORT" open_ok PTEST_ISO_REGISTRY_PORT
  start_one auth "$AUTH_PORT" auth_ok PTEST_ISO_REGISTRY_AUTH_PORT
}

stop() {
  stop_one open
  stop_one auth
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  env)
    echo "export PTEST_ISO_REGISTRY=$HOST:$PORT"
    echo "export PTEST_ISO_REGISTRY_AUTH=$HOST:$AUTH_PORT"
    echo "export PTEST_ISO_REGISTRY_USER=$USER_NAME"
    echo "export PTEST_ISO_REGISTRY_PASSWORD=$PASSWORD"
    ;;
  *) die "usage: $0 start|stop|env" ;;
esac
