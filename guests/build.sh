#!/usr/bin/env bash
# Builds the bare-metal guests with Debian's gcc-arm-none-eabi.
#
#   guests/build.sh [--out DIR] [NAME...]
#
# Every directory guests/<name>/ holding *.c or *.S files is one guest, linked with guests/lib.
# guests/include/ holds shared sources that guests #include (the CPU test bodies).
# Output, per guest, in guests/bin/ (or DIR):
#   <name>.elf     the linked image (no debug info; symbols kept for disassembly)
#   <name>.bin     the raw image, loaded at 0x40010000 (objcopy -O binary)
#   <name>.sha256  sha256sum lines for every input file and both outputs, paths relative to
#                  guests/: `cd guests && sha256sum -c bin/<name>.sha256` checks them
# and bin/TOOLCHAIN names the compiler that made them. Builds are reproducible: the same sources
# and compiler give the same bytes (relative paths, no debug info, no build id, sorted inputs).
#
# A guest may hold a build.conf (sourced by bash) setting:
#   ISA=arm|thumb       instruction set for C and for .S files that do not choose one (default arm)
#   FLOAT=soft|hard     float ABI; hard also enables the VFP in crt0 before main (default soft)
#   LIB=yes|no          link guests/lib (default yes); with no, the guest brings its own _start
#                       in section .text.start (the CPU test guests, to depend on nothing else)
#   EXTRA_CFLAGS="..."  more compiler flags
set -euo pipefail

GUESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$GUESTS_DIR/bin"
NAMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out)
      OUT=$(mkdir -p "$2" && cd "$2" && pwd)
      shift 2
      ;;
    -h | --help)
      sed -n '2,21p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      NAMES+=("$1")
      shift
      ;;
  esac
done

CROSS=${CROSS:-arm-none-eabi-}
CC="${CROSS}gcc"
OBJCOPY="${CROSS}objcopy"
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "guests/build.sh: $CC not found; install Debian's gcc-arm-none-eabi (apt-get install gcc-arm-none-eabi)" >&2
  exit 2
fi

# Relative paths everywhere, so nothing about this checkout ends up in the images.
cd "$GUESTS_DIR"
export LC_ALL=C
BUILD_DIR=$(mktemp -d)
trap 'rm -rf "$BUILD_DIR"' EXIT

COMMON_CFLAGS=(-mcpu=cortex-a15 -ffreestanding -nostdlib -fno-builtin -fno-tree-loop-distribute-patterns
  -fno-pic -fno-stack-protector -fno-unwind-tables -fno-asynchronous-unwind-tables
  -mno-unaligned-access -O2 -Wall -Wextra -Ilib -Iinclude)
LDFLAGS=(-nostdlib -T lib/link.ld -Wl,--build-id=none -Wl,-n -Wl,--no-warn-rwx-segments)

is_guest() {
  compgen -G "$1/*.c" >/dev/null || compgen -G "$1/*.S" >/dev/null
}

if [ ${#NAMES[@]} -eq 0 ]; then
  for d in */; do
    d=${d%/}
    case "$d" in lib | bin | gen | build | include) continue ;; esac
    if is_guest "$d"; then NAMES+=("$d"); fi
  done
fi

mkdir -p "$OUT"
"$CC" --version | head -n 1 >"$OUT/TOOLCHAIN"

build_one() {
  local name=$1
  if [ ! -d "$name" ] || ! is_guest "$name"; then
    echo "guests/build.sh: no guest named '$name' (expected guests/$name/*.c or *.S)" >&2
    return 1
  fi
  local ISA=arm FLOAT=soft LIB=yes EXTRA_CFLAGS=""
  if [ -f "$name/build.conf" ]; then
    # shellcheck disable=SC1090
    . "./$name/build.conf"
  fi
  local cflags=("${COMMON_CFLAGS[@]}")
  case "$ISA" in
    arm) cflags+=(-marm) ;;
    thumb) cflags+=(-mthumb) ;;
    *) echo "guests/build.sh: $name: ISA must be arm or thumb" >&2 && return 1 ;;
  esac
  case "$FLOAT" in
    soft) cflags+=(-mfloat-abi=soft) ;;
    hard) cflags+=(-mfpu=vfpv3 -mfloat-abi=hard) ;;
    *) echo "guests/build.sh: $name: FLOAT must be soft or hard" >&2 && return 1 ;;
  esac
  # shellcheck disable=SC2206
  cflags+=($EXTRA_CFLAGS)

  local objdir="$BUILD_DIR/$name"
  mkdir -p "$objdir"
  local objs=() src libsrc=""
  if [ "$LIB" = yes ]; then libsrc="lib/*.S lib/*.c"; fi
  # shellcheck disable=SC2086
  for src in $(ls $libsrc "$name"/*.S "$name"/*.c 2>/dev/null | sort); do
    local obj="$objdir/$(echo "$src" | tr '/' '_').o"
    "$CC" "${cflags[@]}" -I"$name" -c "$src" -o "$obj"
    objs+=("$obj")
  done
  local libgcc
  libgcc=$("$CC" "${cflags[@]}" -print-libgcc-file-name)
  "$CC" "${cflags[@]}" "${LDFLAGS[@]}" -o "$OUT/$name.elf" "${objs[@]}" "$libgcc"
  "$OBJCOPY" -O binary "$OUT/$name.elf" "$OUT/$name.bin"

  # The manifest: every input (build script, library, shared includes, the guest's own files),
  # then the outputs.
  {
    sha256sum build.sh
    ls lib/* include/* "$name"/* | sort | xargs sha256sum
    (cd "$OUT" && sha256sum "$name.bin" "$name.elf") | sed 's|  |  bin/|'
  } >"$OUT/$name.sha256"
  printf '%-24s %7d bytes\n' "$name.bin" "$(stat -c %s "$OUT/$name.bin")"
}

# One guest failing to build does not stop the others; the exit status reports it.
FAILED=()
for n in "${NAMES[@]}"; do
  if ! (build_one "$n"); then FAILED+=("$n"); fi
done
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "guests/build.sh: FAILED: ${FAILED[*]}" >&2
  exit 1
fi
