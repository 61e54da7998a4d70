#!/bin/sh
# debootstrap's second stage for scripts/build-rootfs.sh, run inside the virtual machine by
# initrd-virtio (armvmm.script=armvmm-second-stage.sh) with the image mounted rw on $ROOT. It runs
# the packages' maintainer scripts (armhf programs) in a chroot, finishes the settings that need
# the installed system, leaves /etc/armvmm-rootfs as the sign of success and removes itself.
# busybox sh (the initramfs's) outside the chroot; everything in the chroot is Debian's.
ROOT=${ROOT:-/newroot}
say() { echo "armvmm-rootfs: $*"; }
mounted=""
release() {
  for m in $mounted; do umount "$ROOT/$m" 2>/dev/null; done
  mounted=""
}
fail() {
  say "FAILED: $*"
  release
  exit 1
}

mount -t devtmpfs devtmpfs "$ROOT/dev" || fail "cannot mount /dev in the new system"
mkdir -p "$ROOT/dev/pts"
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts "$ROOT/dev/pts" || fail "cannot mount /dev/pts"
mounted="dev/pts dev"

say "second stage: debootstrap --second-stage (unpacking and configuring every package)"
start=$(cut -d. -f1 /proc/uptime)
if ! chroot "$ROOT" /debootstrap/debootstrap --second-stage; then
  [ -f "$ROOT/debootstrap/debootstrap.log" ] && tail -n 40 "$ROOT/debootstrap/debootstrap.log"
  fail "debootstrap --second-stage failed"
fi
say "debootstrap done in $(($(cut -d. -f1 /proc/uptime) - start)) s"
rm -f "$ROOT/etc/dpkg/dpkg.cfg.d/armvmm-unsafe-io"

mount -t proc proc "$ROOT/proc" || fail "cannot mount /proc in the new system"
mounted="proc $mounted"
in_root() { chroot "$ROOT" "$@" || fail "'$*' failed in the new system"; }

say "settings: root without a password, systemd-networkd and -resolved, apt sources"
in_root passwd -d root
in_root systemctl enable systemd-networkd.service systemd-resolved.service
# The image is a template: each machine makes its own machine ID on its first boot.
: >"$ROOT/etc/machine-id"
# The security and point-release updates next to the mirror debootstrap used.
mirror=$(sed -n 's/^deb \([^ ]*\) bookworm main$/\1/p' "$ROOT/etc/apt/sources.list" | head -n 1)
if [ -n "$mirror" ]; then
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    echo "deb ${mirror%/debian}/debian-security bookworm-security main"
  } >"$ROOT/etc/apt/sources.list"
fi
in_root apt-get clean
echo "Debian 12 armhf root filesystem for armvmm (scripts/build-rootfs.sh), built $(date -u '+%Y-%m-%d %H:%M UTC')" \
  >"$ROOT/etc/armvmm-rootfs"
rm -f "$ROOT/armvmm-second-stage.sh"
release
fstrim "$ROOT" 2>/dev/null && say "free blocks discarded"
sync
say "done"
