#!/usr/bin/env bash
# A Docker Swarm of real dockerd nodes on this one machine, for the Swarm
# engine's tests and benchmark (issue 13): each node is a dockerd in its own
# network namespace, with its own data-root, exec-root, pidfile, socket and
# containerd, reached from the host over a bridge of ours.
#
#   swarm-cluster.sh up           start the nodes and the swarm (no-op if it answers)
#   swarm-cluster.sh down         stop everything and remove what up made
#   swarm-cluster.sh status       one line per node
#   swarm-cluster.sh env          the export lines a client of the manager needs
#   swarm-cluster.sh stop-node N  stop node N's daemon (a node lost mid-run)
#   swarm-cluster.sh start-node N start it again; it rejoins by itself
#
# A registry for the swarm (Debian's docker-registry) listens on the bridge,
# 10.215.0.1:5100, and every node trusts it over plain HTTP: the engine's
# `images: push` mode pushes there and tasks pull by digest.
# Node 1 is the manager; its API also listens on TCP with TLS
# (tcp://10.215.0.11:2376, certs in $DIR: ca.pem, cert.pem, key.pem).
# Every node is labelled `ptest-iso.endpoint=unix://…/nodeN/docker.sock`,
# its own API, which the engine uses for exec, files, logs and stats.
# Overrides: PTEST_ISO_SWARM_NODES (3), PTEST_ISO_SWARM_DIR
# (/tmp/ptest-iso-swarm), PTEST_ISO_SWARM_IMAGES (the test images loaded on
# every node; default the busybox one).
#
# A namespaced daemon has its own iptables and its own docker0: nothing of
# the main daemon's is touched but one accept rule for our bridge in
# DOCKER-USER, without which the main daemon's FORWARD policy drops the
# swarm's traffic between nodes (joins time out).
set -euo pipefail

NODES=${PTEST_ISO_SWARM_NODES:-3}
DIR=${PTEST_ISO_SWARM_DIR:-/tmp/ptest-iso-swarm}
IMAGES=${PTEST_ISO_SWARM_IMAGES:-ptest-iso-test/busybox:latest}
BRIDGE=ptiso-swbr
SUBNET_PREFIX=10.215.0
HOST_IP=$SUBNET_PREFIX.1
TLS_PORT=2376
REGISTRY=$HOST_IP:5100

die() { echo "swarm-cluster: $*" >&2; exit 1; }
say() { echo "swarm-cluster: $*" >&2; }
# close_inherited_fds, pid_from, new_ca, issue.
. "$(dirname "${BASH_SOURCE[0]}")/lib/daemons.sh"

[[ $NODES =~ ^[1-9]$ ]] || die "PTEST_ISO_SWARM_NODES must be 1 to 9, not '$NODES'"

node_ip() { echo "$SUBNET_PREFIX.$((10 + $1))"; }
node_dir() { echo "$DIR/node$1"; }
node_sock() { echo "$(node_dir "$1")/docker.sock"; }
netns() { echo "ptiso-sw$1"; }
dk() { local n=$1; shift; docker -H "unix://$(node_sock "$n")" "$@"; }

daemon_pid() { pid_from "$(node_dir "$1")/docker.pid" dockerd; }

answers() { [ -S "$(node_sock "$1")" ] && dk "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

make_certs() {
  [ -f "$DIR/ca.pem" ] && [ -f "$DIR/server.pem" ] && return 0
  new_ca "$DIR" ptest-iso-swarm-ca
  issue "$DIR" ptest-iso-swarm-manager "subjectAltName=IP:$(node_ip 1),DNS:localhost
extendedKeyUsage=serverAuth" "$DIR" server
  issue "$DIR" ptest-iso-client 'extendedKeyUsage=clientAuth' "$DIR" client
  mv "$DIR/client.pem" "$DIR/cert.pem"
  mv "$DIR/client-key.pem" "$DIR/key.pem"
  chmod 600 "$DIR"/*key.pem
}

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip -4 addr show dev "$BRIDGE" | grep -q "$HOST_IP/" || ip addr add "$HOST_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # The main daemon's FORWARD DROP policy sees bridged frames (br_netfilter):
  # DOCKER-USER is the chain it leaves to us. FORWARD too, for a host where
  # the main daemon's chains are not there yet.
  if iptables -nL DOCKER-USER >/dev/null 2>&1; then
    iptables -C DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null \
      || iptables -I DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
  fi
  iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null \
    || iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
}

bridge_down() {
  while iptables -D DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
  while iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
}

netns_up() {
  local n=$1 ns veth
  ns=$(netns "$n")
  veth=ptiso-sw$n-h
  [ -e "/var/run/netns/$ns" ] || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" -4 addr show dev eth0 | grep -q "$(node_ip "$n")/" || ip -n "$ns" addr add "$(node_ip "$n")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$HOST_IP"
}

start_daemon() {
  local n=$1 dir ns tls=()
  dir=$(node_dir "$n")
  ns=$(netns "$n")
  answers "$n" && return 0
  if pid=$(daemon_pid "$n"); then stop_daemon "$n"; fi
  mkdir -p "$dir"
  echo '{}' >"$dir/daemon.json"
  if [ "$n" = 1 ]; then
    tls=(-H "tcp://$(node_ip 1):$TLS_PORT" --tlsverify --tlscacert "$DIR/ca.pem"
      --tlscert "$DIR/server.pem" --tlskey "$DIR/server-key.pem")
  fi
  say "starting node $n's dockerd in netns $ns (log: $dir/dockerd.log)"
  # nsenter, not `ip netns exec`: the latter remounts /sys and dockerd then
  # fails with "Devices cgroup isn't mounted". Only the network namespace
  # is the node's own, so its iptables and docker0 are too.
  (
    close_inherited_fds
    exec setsid nohup nsenter --net="/var/run/netns/$ns" dockerd \
      --config-file "$dir/daemon.json" \
      -H "unix://$(node_sock "$n")" "${tls[@]}" --insecure-registry "$REGISTRY" \
      --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
      --containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
      >"$dir/dockerd.log" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 120); do
    answers "$n" && return 0
    sleep 0.5
  done
  tail -n 30 "$dir/dockerd.log" >&2 || true
  die "node $n's dockerd did not answer within 60 s"
}

stop_daemon() {
  local n=$1 pid dir
  dir=$(node_dir "$n")
  if pid=$(daemon_pid "$n"); then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      local cpid
      cpid=$(cat "$dir/exec/containerd/containerd.pid" 2>/dev/null) || true
      [ -n "$cpid" ] && [ "$(cat "/proc/$cpid/comm" 2>/dev/null)" = containerd ] \
        && kill -KILL "$cpid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/docker.pid"
}

swarm_up() {
  local state manager_addr token n id
  manager_addr=$(node_ip 1):2377
  state=$(dk 1 info --format '{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}')
  if [ "$state" != active/true ]; then
    say "initialising the swarm on node 1"
    dk 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$manager_addr" >/dev/null
  fi
  token=$(dk 1 swarm join-token -q worker)
  for n in $(seq 2 "$NODES"); do
    state=$(dk "$n" info --format '{{.Swarm.LocalNodeState}}')
    [ "$state" = active ] && continue
    [ "$state" = inactive ] || dk "$n" swarm leave --force >/dev/null 2>&1 || true
    say "node $n joins"
    dk "$n" swarm join --token "$token" --advertise-addr "$(node_ip "$n")" "$manager_addr" >/dev/null
  done
  # Each node's endpoint, by its own node id (a node that left and joined
  # again has a new one; the stale entry goes).
  for n in $(seq 1 "$NODES"); do
    id=$(dk "$n" info --format '{{.Swarm.NodeID}}')
    dk 1 node update --label-add "ptest-iso.endpoint=unix://$(node_sock "$n")" \
      --label-add "ptest-iso.node=node$n" "$id" >/dev/null
  done
  for id in $(dk 1 node ls --filter role=worker --format '{{.ID}} {{.Status}}' | awk '$2 == "Down" {print $1}'); do
    dk 1 node rm --force "$id" >/dev/null 2>&1 || true
  done
}

load_images() {
  local n image want have
  for image in $IMAGES; do
    want=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null) \
      || die "image $image is not on the main daemon; run scripts/test-images.sh first"
    for n in $(seq 1 "$NODES"); do
      have=$(dk "$n" image inspect --format '{{.Id}}' "$image" 2>/dev/null) || true
      [ "$have" = "$want" ] && continue
      say "loading $image onto node $n"
      docker save "$image" | dk "$n" load >/dev/null
    done
  done
}

registry_pid() { pid_from "$DIR/registry/registry.pid" docker-registry; }

registry_up() {
  curl -fsS --max-time 2 "http://$REGISTRY/v2/" >/dev/null 2>&1 && return 0
  [ -x /usr/bin/docker-registry ] || "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/registry.sh" start >/dev/null
  mkdir -p "$DIR/registry/data"
  printf 'version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp:\n  addr: %s\n  secret: %s\n' \
    "$DIR/registry/data" "$REGISTRY" "$(openssl rand -hex 16)" >"$DIR/registry/config.yml"
  (
    close_inherited_fds
    for v in $(compgen -e | grep '^REGISTRY_' || true); do unset "$v"; done
    exec setsid nohup /usr/bin/docker-registry serve "$DIR/registry/config.yml" >"$DIR/registry/registry.log" 2>&1 </dev/null
  ) &
  echo $! >"$DIR/registry/registry.pid"
  for _ in $(seq 1 100); do
    curl -fsS --max-time 2 "http://$REGISTRY/v2/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail -n 20 "$DIR/registry/registry.log" >&2 || true
  die "the swarm's registry did not answer on $REGISTRY"
}

up() {
  command -v dockerd >/dev/null || "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/docker-up.sh"
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  make_certs
  bridge_up
  registry_up
  local n
  for n in $(seq 1 "$NODES"); do
    netns_up "$n"
    start_daemon "$n"
  done
  swarm_up
  load_images
  say "ready: $NODES nodes, manager $(node_ip 1) (unix://$(node_sock 1), tcp://$(node_ip 1):$TLS_PORT with TLS)"
}

down() {
  local n ns pid
  if pid=$(registry_pid); then kill -TERM "$pid" 2>/dev/null || true; fi
  for n in $(seq 1 9); do
    [ -d "$(node_dir "$n")" ] || [ -e "/var/run/netns/$(netns "$n")" ] || continue
    stop_daemon "$n"
    ns=$(netns "$n")
    if ip link show "ptiso-sw$n-h" >/dev/null 2>&1; then ip link del "ptiso-sw$n-h"; fi
    [ -e "/var/run/netns/$ns" ] && ip netns del "$ns"
  done
  # A killed daemon leaves its mounts; lazy, as its containers may hold them.
  awk -v d="$DIR/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
  bridge_down
  rm -rf "$DIR"
}

status() {
  local n
  for n in $(seq 1 "$NODES"); do
    if answers "$n"; then
      echo "node$n $(node_ip "$n") up $(dk "$n" info --format '{{.Swarm.LocalNodeState}} manager={{.Swarm.ControlAvailable}}')"
    else
      echo "node$n $(node_ip "$n") down"
    fi
  done
}

node_arg() {
  [[ ${1:-} =~ ^[1-9]$ ]] && [ "$1" -le "$NODES" ] || die "a node number from 1 to $NODES is needed"
  echo "$1"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  env) echo "export DOCKER_HOST=tcp://$(node_ip 1):$TLS_PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$DIR" ;;
  stop-node) stop_daemon "$(node_arg "${2:-}")" ;;
  start-node) n=$(node_arg "${2:-}"); netns_up "$n"; start_daemon "$n" ;;
  *) die "usage: $0 up|down|status|env|stop-node N|start-node N" ;;
esac
