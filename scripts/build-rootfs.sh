#!/usr/bin/env bash
# Builds debian-12-armhf.img in the guests' cache ($ARMVMM_CACHE or ~/.cache/armvmm): a Debian 12
# (bookworm) armhf root filesystem, ext4 in a 2 GiB sparse raw image, for `--drive` and for
# `qemu-system-arm -M virt` with the same vmlinuz and initrd-virtio.cpio.gz. Run by
# `npm run guests -- --rootfs` (scripts/fetch-debian-guests.sh, which fetches the kernel and builds
# the initramfs first). An image already in the cache is kept; delete it to build again.
#
# A LOCAL DEVELOPMENT IMAGE: root logs in on the console (ttyAMA0, hvc0) without a password.
#
# How:
#   1. debootstrap's first stage on the host (download, unpack; no armhf code runs), under fakeroot
#      so that every file is owned by root even when not run as root; then the image's own
#      settings and the kernel's modules; then mke2fs -d copies the tree into the image.
#   2. The second stage (the packages' maintainer scripts, which are armhf programs) runs inside a
#      virtual machine: the kernel boots initrd-virtio with root=/dev/vda rw and
#      armvmm.script=armvmm-second-stage.sh, a script this builder put in the tree. The guest's
#      console is shown as the progress. ARMVMM_ROOTFS_RUNNER picks the machine: armvmm (the
#      default: this project, `run --drive`) or qemu (qemu-system-arm).
#   3. The guest leaves /etc/armvmm-rootfs; with it, a clean e2fsck and "script exit 0" on the
#      console, the image is moved into place. Anything else removes the partial image.
#
# Environment: ARMVMM_ROOTFS_RUNNER=armvmm|qemu, ARMVMM_MIRROR (default: the Debian mirror in the
# host's apt sources, else deb.debian.org), ARMVMM_ROOTFS_MEM (MiB, default 1024),
# ARMVMM_ROOTFS_TIMEOUT (seconds for the second stage; default 2 hours under qemu, 8 under armvmm,
# which measured about ten times slower than qemu-system-arm on a busy 2-core host).
set -euo pipefail

CACHE=${ARMVMM_CACHE:-$HOME/.cache/armvmm}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
IMG=$CACHE/debian-12-armhf.img
WORK=$CACHE/rootfs-build
SUITE=bookworm
SIZE=2G
INCLUDE=systemd,systemd-sysv,udev,dbus,libpam-systemd,systemd-resolved,apt,iproute2,iputils-ping,kmod,procps,less
RUNNER=${ARMVMM_ROOTFS_RUNNER:-armvmm}
MEM=${ARMVMM_ROOTFS_MEM:-1024}
if [ "$RUNNER" = qemu ]; then TIMEOUT=${ARMVMM_ROOTFS_TIMEOUT:-7200}; else TIMEOUT=${ARMVMM_ROOTFS_TIMEOUT:-28800}; fi

say() { echo "build-rootfs: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- inside fakeroot: first stage, settings, modules, mke2fs ------------------------------------
# Called as `fakeroot -- build-rootfs.sh --tree MIRROR KMODS KVER` so that debootstrap, the files
# written here and mke2fs all see one fakeroot session (root-owned files, device nodes).
if [ "${1:-}" = --tree ]; then
  MIRROR=$2 KMODS=$3 KVER=$4
  TREE=$WORK/tree
  rm -rf "$TREE"
  mkdir -p "$TREE" "$WORK/debs"
  say "first stage: debootstrap --foreign --arch armhf --variant=minbase $SUITE from $MIRROR"
  debootstrap --foreign --arch armhf --variant=minbase --components=main --include="$INCLUDE" \
    --cache-dir="$WORK/debs" "$SUITE" "$TREE" "$MIRROR" >&2 ||
    die "debootstrap's first stage failed (see $TREE/debootstrap/debootstrap.log)"

  # The kernel's modules (the same package as vmlinuz), for udev and modprobe in the system.
  say "adding the modules of $KVER"
  mkdir -p "$TREE/usr/lib/modules"
  cp -a "$KMODS" "$TREE/usr/lib/modules/$KVER"
  depmod -b "$TREE" "$KVER" || die "depmod -b $TREE $KVER failed"

  printf 'armvmm\n' >"$TREE/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tarmvmm\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$TREE/etc/hosts"
  printf '# armvmm: the root disk is the first virtio-blk drive\n/dev/vda / ext4 rw 0 1\n' >"$TREE/etc/fstab"
  mkdir -p "$TREE/etc/systemd/network" "$TREE/etc/systemd/system/serial-getty@.service.d"
  cat >"$TREE/etc/systemd/network/20-wired.network" <<'EOF'
# armvmm: DHCP on the virtio NIC (en* under predictable names, eth* otherwise)
[Match]
Name=en* eth*

[Network]
DHCP=yes
EOF
  # agetty's own defaults, plus --autologin root: a local development image.
  cat >"$TREE/etc/systemd/system/serial-getty@.service.d/autologin.conf" <<'EOF'
# armvmm: root logs in on serial and virtio consoles (ttyAMA0, hvc0) without a password.
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 - $TERM
EOF
  # dpkg without an fsync per file for the second stage (the guest syncs once at the end, and a
  # build that fails is thrown away); armvmm-second-stage.sh removes this setting.
  mkdir -p "$TREE/etc/dpkg/dpkg.cfg.d"
  printf 'force-unsafe-io\n' >"$TREE/etc/dpkg/dpkg.cfg.d/armvmm-unsafe-io"
  cp "$HERE/rootfs/armvmm-second-stage.sh" "$TREE/armvmm-second-stage.sh"
  chmod 755 "$TREE/armvmm-second-stage.sh"
  chown -R 0:0 "$TREE/etc/hostname" "$TREE/etc/hosts" "$TREE/etc/fstab" "$TREE/etc/systemd" \
    "$TREE/etc/dpkg" "$TREE/armvmm-second-stage.sh" "$TREE/usr/lib/modules"

  say "writing the image: mke2fs -t ext4 -d (${SIZE}B, sparse)"
  rm -f "$IMG.partial"
  mke2fs -q -t ext4 -b 4096 -L armvmm-root -E root_owner=0:0 -d "$TREE" "$IMG.partial" "$SIZE" ||
    die "mke2fs -d $TREE failed"
  exit 0
fi

# --- the build ------------------------------------------------------------------------------------
if [ -f "$IMG" ]; then
  say "$IMG is there already (delete it to build again)"
  exit 0
fi

# shellcheck source=scripts/need.sh
source "$HERE/need.sh"
need debootstrap debootstrap
need fakeroot fakeroot
need mke2fs e2fsprogs
need e2fsck e2fsprogs
need debugfs e2fsprogs
need depmod kmod
need timeout coreutils
case "$RUNNER" in
  qemu) need qemu-system-arm qemu-system-arm ;;
  armvmm) ;;
  *) die "ARMVMM_ROOTFS_RUNNER must be armvmm or qemu, not '$RUNNER'" ;;
esac
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need gpgv debian-archive-keyring

KERNEL=$CACHE/vmlinuz
INITRD=$CACHE/initrd-virtio.cpio.gz
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || die "$KERNEL or $INITRD is missing: run 'npm run guests' first"
KPKG=$(sed -n 's/^kernel \(linux-image-[^_]*\)_.*/\1/p' "$CACHE/VERSIONS" 2>/dev/null)
KVER=${KPKG#linux-image-}
KMODS=$CACHE/pkgs/$KPKG/lib/modules/$KVER
[ -n "$KPKG" ] && [ -d "$KMODS/kernel" ] || die "the kernel's modules are not unpacked in $CACHE/pkgs: run 'npm run guests' first"

# The Debian mirror: ARMVMM_MIRROR, else the first URI for $SUITE in the host's apt sources (one-
# line or deb822 format; not the security archive), else deb.debian.org.
find_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      /^[ \t]*deb[ \t]/ {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite && $i !~ /security/) { print $i; exit }
      }
      /^URIs:/ { uris = $2 }
      /^Suites:/ { for (j = 2; j <= NF; j++) if ($j == suite) hit = 1 }
      /^[ \t]*$/ { if (hit && uris !~ /security/) { print uris; exit } hit = 0; uris = "" }
      END { if (hit && uris !~ /security/) print uris }
    ' "$f"
  done | head -n 1
}
MIRROR=${ARMVMM_MIRROR:-$(find_mirror)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# The virtual machine that runs the second stage.
# panic=5: a guest kernel that panics reboots, and -no-reboot (or armvmm) then stops the machine.
APPEND="console=ttyAMA0 quiet panic=5 root=/dev/vda rw armvmm.script=armvmm-second-stage.sh"
case "$RUNNER" in
  armvmm)
    CLI=$REPO/dist/src/cli/main.js
    [ -f "$CLI" ] || die "$CLI is missing: run 'npm run build' first (or ARMVMM_ROOTFS_RUNNER=qemu)"
    node "$CLI" run --help 2>&1 | grep -q -- '--drive' ||
      die "this armvmm has no --drive option yet: build it, or use ARMVMM_ROOTFS_RUNNER=qemu"
    GUEST=(node "$CLI" run --kernel "$KERNEL" --initrd "$INITRD" --drive "$IMG.partial"
      --append "$APPEND" --mem "$MEM")
    ;;
  qemu)
    # shellcheck disable=SC2054 # the commas are QEMU's
    GUEST=(qemu-system-arm -M virt -cpu cortex-a15 -m "$MEM" -nographic -no-reboot
      -global virtio-mmio.force-legacy=false -kernel "$KERNEL" -initrd "$INITRD"
      -drive "if=none,file=$IMG.partial,format=raw,id=d0,discard=unmap"
      -device virtio-blk-device,drive=d0 -device virtio-rng-device -append "$APPEND")
    ;;
esac

mkdir -p "$WORK"
cleanup() {
  rm -f "$IMG.partial"
  rm -rf "$WORK/tree"
}
trap 'cleanup; say "failed; the partial image is removed"' EXIT
trap 'exit 130' INT TERM

T0=$(date +%s)
fakeroot -- bash "$HERE/build-rootfs.sh" --tree "$MIRROR" "$KMODS" "$KVER"
rm -rf "$WORK/tree"
T1=$(date +%s)
say "first stage done in $((T1 - T0)) s; second stage in a virtual machine ($RUNNER, ${MEM} MiB)"
say "guest console follows (also in $WORK/console.log)"

set +e
timeout "$TIMEOUT" "${GUEST[@]}" </dev/null 2>&1 | tee "$WORK/console.log"
status=${PIPESTATUS[0]}
set -e
T2=$(date +%s)
[ "$status" != 124 ] || die "the second stage took more than $TIMEOUT s (ARMVMM_ROOTFS_TIMEOUT); see $WORK/console.log"
[ "$status" = 0 ] || die "the $RUNNER machine exited with status $status (see $WORK/console.log)"
grep -q '^armvmm-virtio: script exit 0' "$WORK/console.log" ||
  die "the second stage did not finish (no 'armvmm-virtio: script exit 0' on the console; see $WORK/console.log)"
debugfs -R 'stat /etc/armvmm-rootfs' "$IMG.partial" 2>/dev/null | grep -q '^Inode:' ||
  die "the image has no /etc/armvmm-rootfs: the second stage did not complete"
e2fsck -fn "$IMG.partial" >"$WORK/e2fsck.log" 2>&1 ||
  die "e2fsck -fn finds errors in the built image (see $WORK/e2fsck.log)"
mv "$IMG.partial" "$IMG"
trap - EXIT
say "second stage done in $((T2 - T1)) s; total $((T2 - T0)) s"
echo "rootfs $SUITE armhf ($RUNNER, $((T2 - T0)) s, $(date -u +%Y-%m-%dT%H:%MZ))" >"$WORK/BUILT"
say "ready: $IMG ($(du -h "$IMG" | cut -f1) used of $SIZE)"
