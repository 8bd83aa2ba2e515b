#!/usr/bin/env bash
# Installs the Debian 12 packages mullet builds with (Node.js and npm for the
# dashboard among them), when any is missing;
# with --test also what the tests need (Chromium for the browser test; Slurm's
# slurmctld, slurmd and client tools with munge for the scheduler driver's
# test against a real private cluster; the PostgreSQL server for the store's
# tests against a real database), with
# --fuzz clang and its libFuzzer runtime for the slow fuzz runs. Safe to run
# again: it installs nothing when all are present.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev libboost-dev libmodbus-dev
  libssl-dev  # libcrypto: SHA-256 and base64 of the Whatsminer API V3 write token
  libzip-dev libpugixml-dev  # .xlsx workbooks: ERCOT's published price reports
  libsqlite3-dev  # the controller's store (serve)
  libpq-dev  # PostgreSQL behind the same store (libpq-fe.h; libpq is loaded at run time)
  libopenmpi-dev openmpi-bin  # plan across ranks (mpirun -n K mullet plan)
)
# The dashboard's build (web/: Vite, TypeScript, from the npm registry with
# `npm ci`). Asked for by command rather than by package: a machine whose
# Node.js came from elsewhere (NodeSource's nodejs carries its own npm, and
# conflicts with Debian's) keeps it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
for arg in "$@"; do
  case "$arg" in
    --test) packages+=(chromium slurmctld slurmd slurm-client munge postgresql) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "mullet: installing missing packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "mullet: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
