#!/usr/bin/env bash
# Installs everything mnetc needs on a Debian/Ubuntu machine: the C toolchains and QEMU used by the targets
# (only the missing packages; needs root or sudo), then the npm packages (which also builds the TypeScript).
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(gcc make gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm qemu-system-misc
      gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf cmake cppcheck chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run build --silent
fi
