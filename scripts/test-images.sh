#!/usr/bin/env bash
# Make sure the local images the integration tests run exist. No container
# registry is reachable here, so every image is built from Debian packages on
# this machine. Idempotent: an image that already exists is left alone, so a
# second run is a fast no-op.
set -euo pipefail

BUSYBOX_IMAGE=ptest-iso-test/busybox:latest
PYTHON_IMAGE=ptest-iso-test/python:bookworm
# Service images (ptest_isolation.services): Debian's packages, run as the
# images on Docker Hub are (environment variables, a non-root user).
POSTGRES_IMAGE=ptest-iso-test/postgres:bookworm
REDIS_IMAGE=ptest-iso-test/redis:bookworm
# Lets tests (and cleanup) tell our fixtures from images a user pulled.
LABEL=ptest-iso.test-image=true

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A fresh machine may have no daemon yet; docker-up.sh also installs the
# busybox-static and mmdebstrap packages the builds below need.
"$here/docker-up.sh"

die() { echo "test-images: $*" >&2; exit 1; }

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

apt_install() {
  echo "test-images: installing $*" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }; then
    die "could not install $* with apt-get"
  fi
}

tmp=$(mktemp -d /tmp/ptest-iso-images.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

build_busybox() {
  # docker-up.sh already checks this, but only on the path where it had to
  # start a daemon; an already-running one short-circuits it.
  file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || apt_install busybox-static file
  file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' \
    || die "/bin/busybox is not a static binary; a FROM scratch image needs one"

  local ctx=$tmp/busybox
  mkdir -p "$ctx/etc"
  cp /bin/busybox "$ctx/busybox"
  # Tests run with --user nobody; docker resolves names from the image's
  # /etc/passwd, so the image must carry one.
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$ctx/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$ctx/etc/group"
  cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
COPY etc/ /etc/
# Exec form: there is no shell until busybox has installed its applets.
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp /root && chmod 1777 /tmp"]
LABEL $LABEL
CMD ["sh"]
EOF
  # DOCKER_BUILDKIT=0: the client here has no buildx plugin, and the classic
  # builder is all a FROM scratch image needs.
  DOCKER_BUILDKIT=0 docker build -q -t "$BUSYBOX_IMAGE" "$ctx" >/dev/null 2>"$tmp/build.log" \
    || { cat "$tmp/build.log" >&2; die "docker build of $BUSYBOX_IMAGE failed"; }
}

build_python() {
  command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
  local tar=$tmp/rootfs.tar
  # As root mmdebstrap's default mode (auto) is "root": no unshare or fakeroot
  # needed. With no mirror argument it uses deb.debian.org plus the -updates
  # and -security suites. </dev/null: mmdebstrap reads extra sources.list
  # lines from a non-tty stdin.
  mmdebstrap --quiet --variant=apt --include=python3,python3-venv,python3-pip \
    bookworm "$tar" </dev/null || die "mmdebstrap of bookworm failed (is the Debian mirror reachable?)"
  docker import \
    --change 'CMD ["python3"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL $LABEL" \
    "$tar" "$PYTHON_IMAGE" >/dev/null || die "docker import of $PYTHON_IMAGE failed"
  rm -f "$tar"
}

# What a service image needs and nothing more: --variant=minbase (no apt in
# the image), no documentation, manuals or translations.
service_rootfs() {
  local tar=$1
  shift
  command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
  mmdebstrap --quiet --variant=minbase \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "$@" bookworm "$tar" </dev/null || die "mmdebstrap of bookworm failed (is the Debian mirror reachable?)"
}

build_postgres() {
  local tar=$tmp/postgres.tar
  # As the official image's entrypoint: on first start initdb with
  # POSTGRES_USER (default postgres) as the superuser and POSTGRES_PASSWORD
  # as its password, then POSTGRES_DB (default: the user's name); host
  # connections from anywhere need the password (scram-sha-256), local ones
  # (the socket, inside the container) are trusted. Then postgres in the
  # foreground, on 0.0.0.0:5432. Started as root (a `user` override), it
  # drops to postgres first.
  cat >"$tmp/postgres-entrypoint" <<'EOF'
#!/bin/sh
set -eu
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
  exec "$@"
fi
if [ "$(id -u)" = 0 ]; then
  install -d -o postgres -g postgres -m 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
    echo "postgres: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >/dev/null
  rm -f "$pwfile"
  echo "host all all all ${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"
  # The socket in /tmp: the image's /run is empty (PGHOST says so to clients).
  printf '%s\n' "listen_addresses = '*'" "unix_socket_directories = '/tmp'" "jit = off" >>"$PGDATA/postgresql.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no server to start and stop again before the real one.
    quoted=$(printf '%s' "$db" | sed 's/"/""/g')
    out=$(printf 'CREATE DATABASE "%s";\n' "$quoted" | postgres --single -D "$PGDATA" postgres 2>&1)
    case $out in *ERROR*) echo "$out" >&2; exit 1 ;; esac
  fi
fi
exec "$@"
EOF
  cat >"$tmp/postgres-hook" <<'EOF'
#!/bin/sh
# Runs as mmdebstrap's customize hook: $1 is the new root, $2 the entrypoint.
set -eu
root=$1
install -m 0755 "$2" "$root/usr/local/bin/docker-entrypoint.sh"
# The server's programs on PATH without Debian's perl wrappers.
for program in "$root"/usr/lib/postgresql/*/bin/*; do
  ln -sf "${program#"$root"}" "$root/usr/local/bin/"
done
chroot "$root" install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
# JIT (off in the entrypoint's configuration) is all that needs LLVM, a third
# of the image: gone, with its package record.
rm -f "$root"/usr/lib/postgresql/*/lib/llvmjit*
rm -rf "$root"/usr/lib/postgresql/*/lib/bitcode
chroot "$root" dpkg --purge --force-depends libllvm14 >/dev/null 2>&1
EOF
  # postgresql-common would make a cluster "main" at install; the entrypoint
  # makes the one it needs at first start (as the official image does).
  service_rootfs "$tar" --include=postgresql \
    --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/ptest-iso.conf"' \
    --customize-hook="sh $tmp/postgres-hook \"\$1\" $tmp/postgres-entrypoint"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV PGHOST=/tmp' \
    --change 'USER postgres' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    --change 'EXPOSE 5432' \
    --change "LABEL $LABEL" \
    "$tar" "$POSTGRES_IMAGE" >/dev/null || die "docker import of $POSTGRES_IMAGE failed"
  rm -f "$tar"
}

build_redis() {
  local tar=$tmp/redis.tar
  # As the official image: redis-server in the foreground as the user redis,
  # on 0.0.0.0:6379 without protected mode (reached through a published
  # port), nothing saved to disk; REDIS_PASSWORD, when set, is required.
  # Arguments starting with - are added to redis-server's.
  cat >"$tmp/redis-entrypoint" <<'EOF'
#!/bin/sh
set -eu
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
  shift
  set -- redis-server --bind 0.0.0.0 --port 6379 --protected-mode no --save '' --appendonly no \
    --dir /var/lib/redis "$@"
  if [ -n "${REDIS_PASSWORD:-}" ]; then
    set -- "$@" --requirepass "$REDIS_PASSWORD"
  fi
fi
exec "$@"
EOF
  service_rootfs "$tar" --include=redis-server \
    --customize-hook="install -m 0755 $tmp/redis-entrypoint \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
    --customize-hook='chroot "$1" install -d -o redis -g redis -m 0750 /var/lib/redis'
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'USER redis' \
    --change 'WORKDIR /var/lib/redis' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["redis-server"]' \
    --change 'EXPOSE 6379' \
    --change "LABEL $LABEL" \
    "$tar" "$REDIS_IMAGE" >/dev/null || die "docker import of $REDIS_IMAGE failed"
  rm -f "$tar"
}

ensure() {
  local image=$1 builder=$2 start
  if have_image "$image"; then
    return 0
  fi
  echo "test-images: building $image" >&2
  start=$SECONDS
  "$builder"
  have_image "$image" || die "$image still missing after build"
  echo "test-images: built $image in $((SECONDS - start)) s" >&2
}

ensure "$BUSYBOX_IMAGE" build_busybox
ensure "$PYTHON_IMAGE" build_python
ensure "$POSTGRES_IMAGE" build_postgres
ensure "$REDIS_IMAGE" build_redis
