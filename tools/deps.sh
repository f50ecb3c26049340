#!/usr/bin/env bash
# deps.sh — install the Debian packages myrmex needs; does nothing when all are present.
set -euo pipefail
PKGS="make gcc binutils nasm qemu-system-x86 grub-pc-bin grub-common xorriso mtools \
bochs bochsbios vgabios bochs-term gcc-multilib libc6-dev-i386 cpio gdb python3 xz-utils"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
