#!/usr/bin/env bash
# Installs the Debian packages whose servers the tests and the local bring-up start,
# the headless browser the queue dashboard test drives, and Debian's python3 and pip
# that the python runtime look-alike is made of, and wrk, the load generator of the
# accept-path benchmark, and openssl, which makes the certificates of the Kubernetes
# client's TLS spec.
# Idempotent: does nothing (and prints nothing) when every binary is already there.
set -euo pipefail

# package:binary pairs; busybox-static is checked as a package because the
# dynamic `busybox` package ships the same path but cannot run inside an image.
required=(
  "docker.io:/usr/sbin/dockerd"
  "docker.io:/usr/bin/docker"
  "docker-registry:/usr/bin/docker-registry"
  "busybox-static:/bin/busybox"
  "redis-server:/usr/bin/redis-server"
  "chromium:/usr/bin/chromium"
  "python3-pip:/usr/lib/python3/dist-packages/pip/__init__.py"
  "wrk:/usr/bin/wrk"
  "openssl:/usr/bin/openssl"
)
# kubectl renders deploy/ for the manifest suite; any package that provides it will do
# (the machine image may bring its own), else Debian's kubernetes-client.
if ! command -v kubectl >/dev/null 2>&1; then
  required+=("kubernetes-client:/usr/bin/kubectl")
fi

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pair in "${required[@]}"; do
  package="${pair%%:*}"
  binary="${pair#*:}"
  if { [[ ! -e "$binary" ]] || ! is_installed "$package"; } \
    && [[ ! " ${missing[*]-} " == *" $package "* ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-system-packages: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update >"$log" 2>&1 \
  || ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
  cat "$log" >&2
  echo "install-system-packages: failed to install ${missing[*]} (apt output above)" >&2
  exit 1
fi

# docker.io's and redis-server's packages may start system services; the test
# setup starts its own servers on its own addresses, so nothing else is needed.
for pair in "${required[@]}"; do
  binary="${pair#*:}"
  if [[ ! -e "$binary" ]]; then
    echo "install-system-packages: $binary still missing after installing ${missing[*]}" >&2
    exit 1
  fi
done
