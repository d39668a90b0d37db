#!/usr/bin/env bash
# A second, TLS-protected dockerd on loopback TCP, beside the main one on
# /var/run/docker.sock, so the TLS transport of DockerAPI can be tested for
# real (good certs accepted, a wrong CA refused).
#
#   tls-daemon.sh start   start it (no-op if it already answers)
#   tls-daemon.sh stop    stop it and remove its bridge
#   tls-daemon.sh env     print the export line a docker client needs
#
# Overrides: PTEST_ISO_TLS_PORT (23760), PTEST_ISO_TLS_DIR
# (/tmp/ptest-iso-tls-daemon), PTEST_ISO_TLS_BRIDGE, _BRIDGE_IP, _POOL_PREFIX
# and _NAMESPACE (for a further instance beside this one);
# PTEST_ISO_TLS_KEEP_CERTS=1 keeps the certs of an earlier start (a restart
# that a kept client must survive unchanged). The state dir doubles as
# DOCKER_CERT_PATH;
# $DIR/wrong-ca/ holds a CA and client cert the daemon does not trust.
set -euo pipefail

PORT=${PTEST_ISO_TLS_PORT:-23760}
DIR=${PTEST_ISO_TLS_DIR:-/tmp/ptest-iso-tls-daemon}
ADDR=127.0.0.1:$PORT
PIDFILE=$DIR/docker.pid
LOG=$DIR/dockerd.log
# Another instance (the daemon-restart test's) sets its own port, directory,
# bridge, pool and containerd namespace.
BRIDGE=${PTEST_ISO_TLS_BRIDGE:-ptiso-br1}
BRIDGE_IP=${PTEST_ISO_TLS_BRIDGE_IP:-10.213.0.1/24}
# User-defined networks of this daemon come from here. With the default
# pools only a host-route check keeps the two daemons from both handing out
# 172.18.0.0/16, and that check races when both create networks at once.
POOL_PREFIX=${PTEST_ISO_TLS_POOL_PREFIX:-10.214}
NAMESPACE=${PTEST_ISO_TLS_NAMESPACE:-ptest-iso-tls}
POOL=$POOL_PREFIX.0.0/16

die() { echo "tls-daemon: $*" >&2; exit 1; }
# close_inherited_fds, pid_from, new_ca, issue.
. "$(dirname "${BASH_SOURCE[0]}")/lib/daemons.sh"

ping_ok() {
  [ -f "$DIR/ca.pem" ] || return 1
  curl -fsS --max-time 2 --cacert "$DIR/ca.pem" --cert "$DIR/cert.pem" \
    --key "$DIR/key.pem" "https://$ADDR/_ping" >/dev/null 2>&1
}

daemon_pid() { pid_from "$PIDFILE" dockerd; }

# Fresh certs on every real start, so no test depends on leftovers. The
# names follow docker's DOCKER_CERT_PATH convention (ca.pem, cert.pem, key.pem).
make_certs() {
  local client='extendedKeyUsage=clientAuth'
  new_ca "$DIR" ptest-iso-test-ca
  issue "$DIR" localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth" "$DIR" server
  issue "$DIR" ptest-iso-client "$client" "$DIR" client
  mv "$DIR/client.pem" "$DIR/cert.pem"; mv "$DIR/client-key.pem" "$DIR/key.pem"
  new_ca "$DIR/wrong-ca" ptest-iso-wrong-ca
  issue "$DIR/wrong-ca" ptest-iso-client "$client" "$DIR/wrong-ca" client
  mv "$DIR/wrong-ca/client.pem" "$DIR/wrong-ca/cert.pem"
  mv "$DIR/wrong-ca/client-key.pem" "$DIR/wrong-ca/key.pem"
  chmod 600 "$DIR"/*key.pem "$DIR"/wrong-ca/*key.pem
}

# A pre-created bridge of our own: with --bridge=none a second dockerd
# deletes the main daemon's docker0, and letting it make its own default
# bridge would collide with docker0's name and subnet.
bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip -4 addr show dev "$BRIDGE" | grep -q "${BRIDGE_IP%/*}/" || ip addr add "$BRIDGE_IP" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # With --iptables=false (see start) nothing lets traffic between this
  # bridge's containers past the FORWARD DROP policy the main daemon sets
  # (br_netfilter sends bridged frames through iptables). One narrow rule,
  # touching nothing of the main daemon's, restores that.
  iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null \
    || iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
}

# Only while our dockerd is not running. dockerd leaves the br-* bridges of
# its user-defined networks behind when it exits, and start wipes the network
# store (see there), so nothing would ever reuse them: drop every br-* in our
# pool too.
bridge_down() {
  local br
  while iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
  for br in $BRIDGE $(ip -4 -o addr show | awk -v p="$POOL_PREFIX." '$2 ~ /^br-/ && index($4, p) == 1 {print $2}'); do
    if ip link show "$br" >/dev/null 2>&1; then ip link del "$br"; fi
  done
}

start() {
  if ping_ok; then
    return 0
  fi
  # Installs dockerd/openssl on a fresh machine; the main daemon is needed
  # by the tests anyway.
  "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/docker-up.sh"
  # A daemon of ours that is alive but not answering is wedged: replace it.
  if daemon_pid >/dev/null; then stop; fi
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  if [ "${PTEST_ISO_TLS_KEEP_CERTS:-}" = 1 ] && [ -f "$DIR/ca.pem" ] && [ -f "$DIR/server.pem" ]; then
    echo "tls-daemon: keeping the certs in $DIR" >&2
  else
    make_certs
  fi
  bridge_down  # leftovers of a daemon that died without stop
  bridge_up
  # An empty config file keeps a host /etc/docker/daemon.json (hosts,
  # data-root, …) from leaking into this daemon.
  echo '{}' >"$DIR/daemon.json"
  # On a restart dockerd 20.10 finds its own "bridge" network in the store,
  # deletes it as stale and, since --default-address-pool is set, then
  # deletes the interface named docker0 whatever --bridge says: the MAIN
  # daemon's bridge. Without a network store nothing is stale.
  rm -rf "$DIR/data/network"
  local had_docker0=false
  ip link show docker0 >/dev/null 2>&1 && had_docker0=true
  echo "tls-daemon: starting dockerd on $ADDR (log: $LOG)" >&2
  # --iptables=false: on start, a dockerd with iptables enabled flushes and
  # deletes the DOCKER* chains (libnetwork removeIPChains) and rebuilds them
  # for its own bridges only, which would drop the main daemon's port
  # forwards and isolation rules. Cost: no NAT/outbound access for this
  # daemon's containers; published ports still work via docker-proxy.
  # No --containerd: dockerd then runs its own containerd under --exec-root.
  # Distinct containerd namespaces keep the two apart even if both end up on
  # a shared system containerd (dockerd prefers /run/containerd if it runs).
  # setsid: the daemon must outlive the shell (and CI step) that started it.
  (
  close_inherited_fds
  exec setsid nohup dockerd \
    --config-file "$DIR/daemon.json" \
    -H "tcp://$ADDR" \
    --tlsverify --tlscacert "$DIR/ca.pem" --tlscert "$DIR/server.pem" --tlskey "$DIR/server-key.pem" \
    --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$PIDFILE" \
    --bridge "$BRIDGE" --iptables=false --ip-masq=false \
    --default-address-pool "base=$POOL,size=24" \
    --containerd-namespace "$NAMESPACE" --containerd-plugins-namespace "$NAMESPACE-plugins" \
    >"$LOG" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 120); do
    if ping_ok; then
      if $had_docker0 && ! ip link show docker0 >/dev/null 2>&1; then
        die "the TLS dockerd deleted docker0; the main daemon needs it back (see $LOG)"
      fi
      echo "tls-daemon: ready on $ADDR" >&2
      return 0
    fi
    sleep 0.5
  done
  echo "tls-daemon: dockerd did not answer on $ADDR within 60 s; last log lines:" >&2
  tail -n 30 "$LOG" >&2 || true
  exit 1
}

stop() {
  local pid
  if pid=$(daemon_pid); then
    kill -TERM "$pid"
    # dockerd gives running containers 15 s to stop before it exits.
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "tls-daemon: dockerd $pid ignored TERM for 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      # Its containerd is only shut down by a clean dockerd exit.
      local cpid
      cpid=$(cat "$DIR/exec/containerd/containerd.pid" 2>/dev/null) || true
      [ -n "$cpid" ] && [ "$(cat "/proc/$cpid/comm" 2>/dev/null)" = containerd ] \
        && kill -KILL "$cpid" 2>/dev/null || true
    fi
  fi
  # Likewise the bind mount dockerd puts on its data-root (and any overlay
  # mounts) are only undone by a clean exit; lazy, as a killed daemon's
  # containers may still hold them.
  awk -v d="$DIR/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
  rm -f "$PIDFILE"
  bridge_down
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  env) echo "export DOCKER_HOST=tcp://$ADDR DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$DIR" ;;
  *) die "usage: $0 start|stop|env" ;;
esac
