# Shared by the scripts that start daemons of their own beside the main one
# (tls-daemon.sh, registry.sh, swarm-cluster.sh). Sourced, not run.

# A daemon that inherits a caller's pipe keeps it open for its whole life,
# and a caller waiting for EOF (a test harness, CI's log capture) waits forever.
close_inherited_fds() {
  local fd
  for fd in $(ls /proc/$BASHPID/fd); do
    [ "$fd" -gt 2 ] && eval "exec $fd>&-"
  done
  return 0
}

# $1 pidfile, $2 the process's name (/proc/PID/comm): echoes the pid only if
# that process still runs, so a stale file never makes us signal some
# unrelated process that reused the pid.
pid_from() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}

# $1 dir, $2 subject CN: a new CA (ca.pem, ca-key.pem) in dir.
new_ca() {
  mkdir -p "$1"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -subj "/CN=$2" -days 30 -keyout "$1/ca-key.pem" -out "$1/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# $1 dir, $2 subject CN, $3 extensions, $4 signing CA dir, $5 file prefix.
issue() {
  local dir=$1 cn=$2 ext=$3 ca=$4 out=$5
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -subj "/CN=$cn" -keyout "$dir/$out-key.pem" -out "$dir/$out.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$dir/$out.ext"
  openssl x509 -req -in "$dir/$out.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca-key.pem" \
    -CAcreateserial -days 30 -extfile "$dir/$out.ext" -out "$dir/$out.pem" 2>/dev/null
  rm -f "$dir/$out.csr" "$dir/$out.ext" "$ca/ca.srl"
}
