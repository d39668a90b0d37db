#!/usr/bin/env bash
# Make sure the local images the integration tests run exist. No container
# registry is reachable here, so every image is built from Debian packages on
# this machine. Idempotent: an image that already exists is left alone, so a
# second run is a fast no-op.
set -euo pipefail

BUSYBOX_IMAGE=ptest-iso-test/busybox:latest
PYTHON_IMAGE=ptest-iso-test/python:bookworm
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
