# Sourced by the guest scripts (they define say and die first).
# need TOOL PACKAGE: makes sure TOOL is on the PATH (or in /sbin, /usr/sbin, which it then adds),
# installing PACKAGE with apt-get when running as root; otherwise dies naming the package.

is_root() { [ "$(id -u)" = 0 ]; }

need() {
  local tool=$1 pkg=$2 dir
  command -v "$tool" >/dev/null 2>&1 && return 0
  for dir in /usr/sbin /sbin; do
    if [ -x "$dir/$tool" ]; then
      PATH=$PATH:$dir
      return 0
    fi
  done
  is_root || die "'$tool' not found: install the $pkg package (sudo apt-get install $pkg)"
  say "installing $pkg (for $tool)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1 ||
    die "apt-get install $pkg failed; install it by hand (it provides $tool)"
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' still not found after installing $pkg"
}
