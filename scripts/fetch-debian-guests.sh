#!/usr/bin/env bash
# Fetches the real guests that armvmm's Linux and u-boot tests boot, from Debian 12's armhf
# packages (`npm run guests`). Nothing goes into the source tree: the cache is $ARMVMM_CACHE, or
# ~/.cache/armvmm. Running it again skips whatever is already there.
#
# Produces, in the cache:
#   vmlinuz               Debian's armmp kernel (zImage), newest linux-image-6.1.0-*-armmp
#   initrd-shell.cpio.gz  busybox-static initramfs: prints "armvmm-init: up", then a shell
#   initrd-test.cpio.gz   same, but runs a fixed command list (uname, /proc/interrupts, date,
#                         sleep 1, an IPI-heavy burst) printing "armvmm-test: ..." markers, then
#                         powers off
#   initrd-bench.cpio.gz  same, but times CPU-bound jobs alone and two in parallel (npm run bench)
#   initrd-soak.cpio.gz   same, but keeps every CPU busy for minutes (scripts/soak.ts)
#   initrd-virtio.cpio.gz busybox and the kernel's virtio, ext4 and 9p modules: loads them, then
#                         mounts root= and runs armvmm.script= or switches to the disk's init
#                         (scripts/initramfs/init-virtio has the full contract)
#   u-boot.bin            u-boot's qemu_arm build (from u-boot-qemu), for --bios
#   VERSIONS              the package versions used
#   debian-12-armhf.img   only with --rootfs: a Debian 12 root filesystem image (ext4, raw,
#                         2 GiB sparse) built by scripts/build-rootfs.sh
#
# Usage: fetch-debian-guests.sh [--rootfs]
#
# Needs Debian's apt (apt-get download, dpkg-deb) with the armhf architecture enabled; as root it
# enables it (dpkg --add-architecture armhf; apt-get update). Needs node to write the initramfs
# and kmod's depmod and modinfo for the virtio one (installed with apt-get when run as root).
set -euo pipefail

CACHE=${ARMVMM_CACHE:-$HOME/.cache/armvmm}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export DEBIAN_FRONTEND=noninteractive

say() { echo "fetch-debian-guests: $*" >&2; }
die() {
  say "$*"
  exit 1
}

ROOTFS=0
for arg in "$@"; do
  case "$arg" in
    --rootfs) ROOTFS=1 ;;
    -h | --help)
      echo "usage: npm run guests [-- --rootfs]   (fetches into \$ARMVMM_CACHE or ~/.cache/armvmm)"
      exit 0
      ;;
    *) die "unknown argument '$arg' (usage: npm run guests [-- --rootfs])" ;;
  esac
done

for tool in apt-get apt-cache dpkg dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' not found: this script needs Debian's apt to download armhf packages (run it on Debian 12 or a derivative). The Linux and u-boot tests skip without these guests."
done
command -v node >/dev/null 2>&1 || die "'node' not found (needed to write the initramfs)"

# shellcheck source=scripts/need.sh
source "$HERE/need.sh"
need depmod kmod
need modinfo kmod

mkdir -p "$CACHE/debs" "$CACHE/pkgs"
cd "$CACHE"

# armhf packages must be visible to apt.
if ! dpkg --print-foreign-architectures | grep -qx armhf; then
  if is_root; then
    say "enabling the armhf architecture (dpkg --add-architecture armhf)"
    dpkg --add-architecture armhf
    NEED_UPDATE=1
  else
    die "dpkg does not know the armhf architecture. Run as root, or first: sudo dpkg --add-architecture armhf && sudo apt-get update"
  fi
fi

has_candidate() {
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  [ -n "$c" ] && [ "$c" != "(none)" ]
}

if [ "${NEED_UPDATE:-0}" = 1 ] || ! has_candidate busybox-static:armhf; then
  if is_root; then
    say "apt-get update"
    # A partial failure (one mirror index out of sync) is not fatal if the packages are visible.
    apt-get update -qq || { sleep 5 && apt-get update -qq; } || say "apt-get update reported errors; continuing"
    has_candidate busybox-static:armhf || die "apt still has no armhf packages after apt-get update (no network or no Debian mirror?)"
  else
    die "apt has no armhf package lists. Run: sudo apt-get update"
  fi
fi

# The newest 6.1 armmp kernel image package.
KPKG=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-armmp$' 2>/dev/null | cut -d' ' -f1 | sort -V | tail -n 1)
[ -n "$KPKG" ] || die "no linux-image-6.1.0-*-armmp package found for armhf (is bookworm in the apt sources?)"
has_candidate "$KPKG:armhf" || die "$KPKG has no armhf candidate in apt"

# Downloads PKG (with :arch when given) into debs/ unless a .deb of it is there already.
fetch() {
  local spec=$1 name=${1%%:*}
  if compgen -G "debs/${name}_*.deb" >/dev/null; then
    return 0
  fi
  has_candidate "$spec" || die "package $spec not found by apt (apt-get update? bookworm sources?)"
  say "downloading $spec"
  # A registry hiccup is common: three tries, a pause between them, then a clear failure.
  local try
  for try in 1 2 3; do
    (cd debs && apt-get download -q "$spec" 2>&1 | grep -v "^W: Download is performed unsandboxed" >&2) && break
    [ "$try" = 3 ] && die "apt-get download $spec failed three times (network or Debian mirror problem?)"
    say "apt-get download $spec failed (try $try of 3); retrying in $((try * 5)) s"
    sleep $((try * 5))
  done
  compgen -G "debs/${name}_*.deb" >/dev/null || die "apt-get download $spec produced no .deb"
}

# Unpacks debs/PKG_*.deb into pkgs/PKG/ (once).
unpack() {
  local name=$1 deb
  deb=$(ls debs/"${name}"_*.deb | sort -V | tail -n 1)
  if [ ! -f "pkgs/$name/.unpacked" ] || [ "$(cat "pkgs/$name/.unpacked")" != "$(basename "$deb")" ]; then
    rm -rf "pkgs/$name"
    mkdir -p "pkgs/$name"
    dpkg-deb -x "$deb" "pkgs/$name"
    basename "$deb" >"pkgs/$name/.unpacked"
  fi
}

fetch "$KPKG:armhf"
fetch busybox-static:armhf
fetch u-boot-qemu
unpack "$KPKG"
unpack busybox-static
unpack u-boot-qemu

# Kernel.
KFILE=$(ls "pkgs/$KPKG"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$KFILE" ] || die "no /boot/vmlinuz-* in $KPKG"
cp -f "$KFILE" vmlinuz

# u-boot for QEMU's virt machine, 32-bit.
UBOOT=pkgs/u-boot-qemu/usr/lib/u-boot/qemu_arm/u-boot.bin
[ -f "$UBOOT" ] || die "u-boot-qemu has no usr/lib/u-boot/qemu_arm/u-boot.bin"
cp -f "$UBOOT" u-boot.bin

# Initramfs images (rewritten every run: cheap, and they follow the init scripts in the repo).
BUSYBOX=pkgs/busybox-static/bin/busybox
[ -f "$BUSYBOX" ] || die "busybox-static has no bin/busybox"
COMMON=(
  dir:bin dir:sbin dir:usr dir:usr/bin dir:usr/sbin dir:dev dir:proc dir:sys dir:tmp:1777 dir:etc dir:root:700
  "file:bin/busybox:$BUSYBOX:755" symlink:bin/sh:busybox
  char:dev/console:5:1:600 char:dev/null:1:3:666 char:dev/ttyAMA0:204:64:600
)
for variant in shell test bench soak; do
  node "$HERE/mkinitramfs.mjs" "initrd-$variant.cpio.gz" "${COMMON[@]}" "file:init:$HERE/initramfs/init-$variant:755"
done

# The virtio initramfs: modules from the same kernel package as vmlinuz, in load order (each after
# the modules it depends on; crc32c_generic before jbd2 and ext4, their "softdep pre: crc32c").
KVER=${KPKG#linux-image-}
KMODS=pkgs/$KPKG/lib/modules/$KVER
[ -d "$KMODS/kernel" ] || die "$KPKG has no lib/modules/$KVER/kernel"
VIRTIO_MODULES=(
  drivers/virtio/virtio_mmio.ko
  drivers/block/virtio_blk.ko
  lib/crc16.ko
  fs/mbcache.ko
  crypto/crc32c_generic.ko
  fs/jbd2/jbd2.ko
  fs/ext4/ext4.ko
  drivers/char/virtio_console.ko
  drivers/char/hw_random/virtio-rng.ko
  net/core/failover.ko
  drivers/net/net_failover.ko
  drivers/net/virtio_net.ko
  fs/netfs/netfs.ko
  fs/fscache/fscache.ko
  net/9p/9pnet.ko
  net/9p/9pnet_virtio.ko
  fs/9p/9p.ko
)
STAGE=initrd-virtio.d
rm -rf "$STAGE"
mkdir -p "$STAGE/lib/modules/$KVER" "$STAGE/etc"
cp "$KMODS"/modules.builtin "$KMODS"/modules.builtin.modinfo "$STAGE/lib/modules/$KVER/" 2>/dev/null || true
loaded=" "
for mod in "${VIRTIO_MODULES[@]}"; do
  [ -f "$KMODS/kernel/$mod" ] || die "module kernel/$mod is missing from $KPKG (needed by initrd-virtio)"
  name=$(basename "$mod" .ko)
  for dep in $(modinfo -F depends "$KMODS/kernel/$mod" | tr ',' ' '); do
    case "$loaded" in
      *" ${dep//-/_} "*) ;;
      *) die "module $name needs $dep loaded before it: fix the order of VIRTIO_MODULES" ;;
    esac
  done
  loaded="$loaded${name//-/_} "
  mkdir -p "$STAGE/lib/modules/$KVER/kernel/$(dirname "$mod")"
  cp "$KMODS/kernel/$mod" "$STAGE/lib/modules/$KVER/kernel/$mod"
  echo "/lib/modules/$KVER/kernel/$mod" >>"$STAGE/etc/armvmm-modules"
  echo "kernel/$mod" >>"$STAGE/lib/modules/$KVER/modules.order"
done
depmod -b "$STAGE" "$KVER" || die "depmod -b $STAGE $KVER failed"
VIRTIO_ENTRIES=(dir:lib dir:newroot "file:etc/armvmm-modules:$STAGE/etc/armvmm-modules:644"
  "file:etc/udhcpc.script:$HERE/initramfs/udhcpc-script:755")
while IFS= read -r path; do
  path=${path#"$STAGE"/}
  if [ -d "$STAGE/$path" ]; then
    VIRTIO_ENTRIES+=("dir:$path")
  else
    VIRTIO_ENTRIES+=("file:$path:$STAGE/$path:644")
  fi
done < <(find "$STAGE/lib" -mindepth 1 | LC_ALL=C sort)
node "$HERE/mkinitramfs.mjs" initrd-virtio.cpio.gz "${COMMON[@]}" "${VIRTIO_ENTRIES[@]}" \
  "file:init:$HERE/initramfs/init-virtio:755"
rm -rf "$STAGE"

{
  echo "kernel $(cat "pkgs/$KPKG/.unpacked")"
  echo "busybox $(cat pkgs/busybox-static/.unpacked)"
  echo "u-boot $(cat pkgs/u-boot-qemu/.unpacked)"
} >VERSIONS

if [ "$ROOTFS" = 1 ]; then
  ARMVMM_CACHE=$CACHE bash "$HERE/build-rootfs.sh" || die "building the root filesystem image failed"
fi

say "ready in $CACHE:"
ls -l "$CACHE"/vmlinuz "$CACHE"/initrd-*.cpio.gz "$CACHE"/u-boot.bin >&2
if [ "$ROOTFS" = 1 ]; then ls -ls "$CACHE"/debian-12-armhf.img >&2; fi
cat VERSIONS >&2
