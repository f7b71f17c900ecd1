# Sourced by the scripts here: apt_install PACKAGE... installs the named Debian packages that
# are missing (as root, or with sudo); returns 1 where there is no apt-get.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local missing=() p sudo="" log
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  log=$(mktemp)
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "apt-get failed; the full log is in $log" >&2
    exit 1
  fi
  rm -f "$log"
}
