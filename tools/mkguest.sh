#!/usr/bin/env bash
# mkguest.sh — build the default Linux guest from Debian's i386 packages.
#
#   tools/mkguest.sh fetch            download + unpack the kernel and busybox (cached)
#   tools/mkguest.sh kernel           build/guest/bzImage
#   tools/mkguest.sh initrd [WORKLOAD TRACEDUMP]   build/guest/initrd.img (gzip newc cpio)
#   tools/mkguest.sh all [WORKLOAD TRACEDUMP]      all of the above
# (the two guest programs default to build/guest/workload and build/guest/tracedump,
# built by `make guest-workload`)
#
# Nothing is fetched except Debian packages through apt. Downloads are cached in
# build/guest/debs; a repeated build downloads nothing. Set GUEST_OFFLINE=1 to never
# touch apt (the cache must then be filled). See docs/guest.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${GUEST_OUT:-$ROOT/build/guest}
DEBS=$OUT/debs
SRC=$ROOT/tests/guests/linux
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
# As root, apt would download as _apt, which cannot write into the build tree.
APT_SANDBOX=""; [ "$(id -u)" -eq 0 ] && APT_SANDBOX="-o APT::Sandbox::User=root"

# The modules an IDE disk needs, in load order (docs/guest.md); the init script loads
# them only when the command line asks (wl.disk=).
MODULES="scsi_common scsi_mod libata crct10dif_common crc-t10dif crct10dif_generic crc64
crc64-rocksoft crc64_rocksoft_generic t10-pi sd_mod ata_piix pata_legacy"

log() { echo "mkguest: $*" >&2; }
die() { echo "mkguest: error: $*" >&2; exit 1; }

need_tools() {
    local t missing=""
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
    [ -z "$missing" ] || die "missing host tools:$missing (run tools/deps.sh)"
}

# A partial failure (one mirror mid-sync) is not fatal: what we need is checked later.
apt_update() { $SUDO apt-get update -qq || log "warning: apt-get update reported errors"; }

# The i386 architecture and its package lists, once per machine.
apt_i386() {
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        log "adding the i386 architecture to dpkg"
        $SUDO dpkg --add-architecture i386
        apt_update
    elif [ -z "$(apt-cache madison busybox-static:i386 2>/dev/null)" ]; then
        log "apt lists have no i386 packages: apt-get update"
        apt_update
    fi
}

# cached_deb PKG: the cached .deb of PKG (newest by name), or nothing.
cached_deb() { ls -1 "$DEBS"/"$1"_*_i386.deb 2>/dev/null | sort -V | tail -n1; }

# get_deb PKG: make sure the candidate version of PKG:i386 is in the cache; print its path.
get_deb() {
    local pkg=$1 ver file
    if [ "${GUEST_OFFLINE:-0}" = 1 ]; then
        file=$(cached_deb "$pkg"); [ -n "$file" ] || die "GUEST_OFFLINE=1 but $pkg is not cached"
        echo "$file"; return
    fi
    ver=$(apt-cache policy "$pkg:i386" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
        file=$(cached_deb "$pkg")
        [ -n "$file" ] || die "apt knows no candidate for $pkg:i386"
        log "no candidate for $pkg:i386 in apt, using cached $(basename "$file")"
        echo "$file"; return
    fi
    file=$DEBS/${pkg}_${ver//:/%3a}_i386.deb
    if [ ! -s "$file" ]; then
        log "downloading $pkg:i386 $ver"
        ( cd "$DEBS" && apt-get download -q $APT_SANDBOX "$pkg:i386=$ver" >/dev/null ) ||
            die "apt-get download $pkg:i386=$ver failed"
    fi
    [ -s "$file" ] || die "download of $pkg did not produce $file"
    echo "$file"
}

# The kernel package behind the metapackage: linux-image-6.1.0-NN-686.
kernel_pkg() {
    local p=""
    if [ "${GUEST_OFFLINE:-0}" != 1 ]; then
        p=$(apt-cache depends linux-image-686:i386 2>/dev/null |
            sed -n 's/^ *Depends: \(linux-image-[0-9][^: ]*-686\)\(:i386\)\?$/\1/p' | head -n1)
    fi
    if [ -z "$p" ]; then  # offline or the lists changed: take the cached one
        p=$(ls -1 "$DEBS"/linux-image-*-686_*_i386.deb 2>/dev/null | sort -V | tail -n1 |
            xargs -r basename | sed 's/_.*//')
    fi
    [ -n "$p" ] || die "cannot resolve the kernel package (apt-cache depends linux-image-686:i386)"
    echo "$p"
}

# extract DEB DIR: unpack once (a stamp names the .deb unpacked).
extract() {
    local deb=$1 dir=$2
    if [ "$(cat "$dir/.from" 2>/dev/null)" != "$(basename "$deb")" ]; then
        rm -rf "$dir"; mkdir -p "$dir"
        dpkg-deb -x "$deb" "$dir"
        basename "$deb" > "$dir/.from"
    fi
}

fetch() {
    need_tools dpkg dpkg-deb apt-get apt-cache
    mkdir -p "$DEBS"
    [ "${GUEST_OFFLINE:-0}" = 1 ] || apt_i386
    local kpkg kdeb bdeb
    kpkg=$(kernel_pkg)
    kdeb=$(get_deb "$kpkg")
    bdeb=$(get_deb busybox-static)
    extract "$kdeb" "$OUT/pkg-kernel"
    extract "$bdeb" "$OUT/pkg-busybox"
    echo "$kpkg" > "$OUT/kernel-package"
}

kernel() {
    [ -d "$OUT/pkg-kernel/boot" ] || fetch
    local img
    img=$(ls -1 "$OUT"/pkg-kernel/boot/vmlinuz-*-686 | head -n1)
    [ -n "$img" ] || die "no vmlinuz in the kernel package"
    cp "$img" "$OUT/bzImage.tmp" && mv "$OUT/bzImage.tmp" "$OUT/bzImage"
    basename "$img" | sed 's/^vmlinuz-//' > "$OUT/kernel-release"
    log "bzImage: $(basename "$img") ($(stat -c %s "$OUT/bzImage") bytes)"
}

initrd() {
    local wl=${1:-$OUT/workload} td=${2:-$OUT/tracedump}
    need_tools cpio gzip find
    [ -f "$wl" ] || die "no workload binary at $wl (make guest-workload)"
    [ -f "$td" ] || die "no tracedump binary at $td (make guest-workload)"
    [ -d "$OUT/pkg-kernel/lib" ] && [ -d "$OUT/pkg-busybox/bin" ] || fetch
    local kver rd m f
    kver=$(ls -1 "$OUT/pkg-kernel/lib/modules" | head -n1)
    rd=$OUT/initrd-root
    rm -rf "$rd"
    mkdir -p "$rd"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,root,lib/modules/"$kver"}
    cp "$OUT/pkg-busybox/bin/busybox" "$rd/bin/busybox"
    # Every applet is a link in /bin, so the initrd works before any --install.
    for f in $("$rd/bin/busybox" --list 2>/dev/null || true); do
        [ "$f" = busybox ] || ln -sf busybox "$rd/bin/$f"
    done
    # The host may be unable to run an i386 binary: the essentials at least.
    for f in sh ash mount umount cat echo ls mkdir insmod reboot poweroff halt awk sed grep \
             sleep date head tail wc tr cut sort uniq dmesg true false expr seq test [ uname; do
        [ -e "$rd/bin/$f" ] || ln -s busybox "$rd/bin/$f"
    done
    for m in $MODULES; do
        f=$(find "$OUT/pkg-kernel/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" \
            -o -name "$m.ko.zst" | head -n1)
        [ -n "$f" ] || die "module $m not found in the kernel package"
        case "$f" in
            *.xz)  need_tools xz;   xz -dc "$f" > "$rd/lib/modules/$kver/$m.ko" ;;
            *.zst) need_tools zstd; zstd -qdc "$f" > "$rd/lib/modules/$kver/$m.ko" ;;
            *)     cp "$f" "$rd/lib/modules/$kver/$m.ko" ;;
        esac
    done
    echo "$MODULES" | tr -s ' \n' '\n\n' | sed '/^$/d' > "$rd/lib/modules/$kver/load-order"
    install -m 0755 "$SRC/init" "$rd/init"
    install -m 0755 "$SRC/procstorm.sh" "$rd/bin/procstorm"
    install -m 0755 "$wl" "$rd/bin/workload"
    install -m 0755 "$td" "$rd/bin/tracedump"
    echo "root:x:0:0:root:/root:/bin/sh" > "$rd/etc/passwd"
    echo "root:x:0:" > "$rd/etc/group"
    # Deterministic archive: fixed mtimes, sorted names, root-owned.
    find "$rd" -exec touch -h -d @0 {} +
    ( cd "$rd" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible ) | gzip -n -9 > "$OUT/initrd.img.tmp"
    mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
    log "initrd.img: $(stat -c %s "$OUT/initrd.img") bytes (kernel $kver)"
}

mkdir -p "$OUT"
case "${1:-all}" in
    fetch)  fetch ;;
    kernel) kernel ;;
    initrd) initrd "${2:-}" "${3:-}" ;;
    all)    fetch; kernel; initrd "${2:-}" "${3:-}" ;;
    *)      die "usage: $0 fetch|kernel|initrd [WORKLOAD TRACEDUMP]|all [WORKLOAD TRACEDUMP]" ;;
esac
