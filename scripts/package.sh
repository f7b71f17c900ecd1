#!/usr/bin/env bash
# Builds the self-contained app on Linux (its own Python inside; nothing downloaded at run
# time) with PyInstaller from packaging/mitpractice.spec, and writes to dist/:
#   mitpractice-VERSION-linux-x86_64.tar.gz   unpacks to mitpractice/, run mitpractice/mitpractice
#   mitpractice_VERSION_amd64.deb             /opt/mitpractice/, /usr/bin/mitpractice, menu entries
# It installs its own tools first (apt packages as root or with sudo; PyInstaller into a build
# environment, build/venv), so it runs on a bare Debian or Ubuntu machine. About 5-10 minutes
# on two cores. See docs/install.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# The app's system libraries and Python (the build analyses the installed libraries).
bash scripts/setup.sh
# shellcheck source=scripts/apt.sh
source scripts/apt.sh
apt_install binutils desktop-file-utils dpkg xz-utils

#: Debian packages the app needs from the system: PortAudio, the libraries Qt's xcb and
#: wayland platform plugins load, and ALSA's route to the sound server (PulseAudio or
#: PipeWire). check_depends below proves the list covers every library the bundle loads.
DEPENDS="libportaudio2, libstdc++6, libasound2-plugins | pipewire-alsa, libegl1, libgl1, libopengl0, \
libfontconfig1, libfreetype6, libzstd1, libdbus-1-3, libglib2.0-0t64 | libglib2.0-0, libx11-6, libx11-xcb1, \
libxkbcommon0, libxkbcommon-x11-0, libxcb1, libxcb-cursor0, libxcb-glx0, libxcb-icccm4, \
libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render0, libxcb-render-util0, libxcb-shape0, \
libxcb-shm0, libxcb-sync1, libxcb-util1, libxcb-xfixes0, libxcb-xkb1, libwayland-client0, \
libwayland-cursor0, libwayland-egl1"

# The dependencies themselves, so that the check below finds every library: of each choice
# ("a | b"), the one installed or else the first this system's apt knows.
install_depends() {
  local item alt chosen wanted=()
  IFS=',' read -ra items <<<"$DEPENDS"
  for item in "${items[@]}"; do
    chosen=""
    for alt in ${item//|/ }; do
      dpkg-query -W -f='${Status}' "$alt" 2>/dev/null | grep -q "install ok installed" && { chosen=$alt; break; }
    done
    for alt in ${item//|/ }; do
      [ -n "$chosen" ] && break
      apt-cache show "$alt" >/dev/null 2>&1 && chosen=$alt
    done
    [ -n "$chosen" ] || read -r chosen _ <<<"$item"
    wanted+=("$chosen")
  done
  apt_install "${wanted[@]}"
}
install_depends

# The build environment: the app (editable, so the build reads this tree) and PyInstaller.
python=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
[ -x build/venv/bin/python ] || "$python" -m venv build/venv
build/venv/bin/python -m pip install --quiet --upgrade pip
build/venv/bin/python -m pip install --quiet -e ".[package]"

version=$(build/venv/bin/python -c 'import mitpractice; print(mitpractice.__version__)')
bundle=build/pyinstaller/mitpractice

echo "Rendering the icons"
rm -rf build/icons
build/venv/bin/python packaging/render_icons.py build/icons

echo "Freezing mitpractice $version (PyInstaller; a few minutes)"
build/venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath build/pyinstaller --workpath build/work packaging/mitpractice.spec

# Every shared library the bundle's files need (ELF NEEDED) and do not carry must come from a
# package in DEPENDS, or from libc6 and gcc's runtime, which every system has. PortAudio,
# loaded by name at run time, is in DEPENDS.
package_of() {  # the Debian package holding a file (usrmerge: under either name)
  { dpkg -S "$1" || dpkg -S "$(realpath "$1")"; } 2>/dev/null | sed -n '1s/:.*//p' || true
}
check_depends() {
  local inside needed name path pkg missing=()
  inside=$(find "$bundle" -name '*.so*' -printf '%f\n' | sort -u)
  needed=$(find "$bundle" -type f \( -name '*.so*' -o -name mitpractice \) -exec objdump -p {} + 2>/dev/null |
           awk '$1 == "NEEDED" {print $2}' | sort -u || true)
  for name in $needed; do
    grep -qxF "$name" <<<"$inside" && continue
    path=$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ && !seen {print $NF; seen = 1}')
    pkg=""
    [ -n "$path" ] && pkg=$(package_of "$path")
    case "$pkg" in
      libc6|libgcc-s1) continue ;;
    esac
    if [ -z "$pkg" ]; then
      missing+=("$name (not found on this system)")
    elif ! tr ',|' '\n\n' <<<"$DEPENDS" | tr -d ' ' | grep -qxF "$pkg"; then
      missing+=("$name ($pkg)")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'The bundle needs libraries that no package in DEPENDS provides:\n' >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
  fi
}
check_depends

mkdir -p dist
tarball="dist/mitpractice-$version-linux-x86_64.tar.gz"
echo "Writing $tarball"
tar -C build/pyinstaller --owner=0 --group=0 -czf "$tarball" mitpractice

deb="dist/mitpractice_${version}_amd64.deb"
echo "Writing $deb"
root=build/deb
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
         "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/doc/mitpractice"
cp -a "$bundle" "$root/opt/mitpractice"
ln -s /opt/mitpractice/mitpractice "$root/usr/bin/mitpractice"
install -m 644 packaging/linux/*.desktop "$root/usr/share/applications/"
desktop-file-validate "$root"/usr/share/applications/*.desktop
cp -r build/icons/hicolor "$root/usr/share/icons/"
install -m 644 packaging/icons/mitpractice.svg "$root/usr/share/icons/hicolor/scalable/apps/"
install -m 644 packaging/linux/copyright "$root/usr/share/doc/mitpractice/copyright"
chmod -R u=rwX,go=rX "$root"
cat > "$root/DEBIAN/control" <<EOF
Package: mitpractice
Version: $version
Architecture: amd64
Section: science
Priority: optional
Maintainer: The mitpractice developers <mitpractice@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $DEPENDS
Description: Melodic Intonation Therapy practice for people with aphasia
 Patients practise everyday phrases by singing them on two pitches with a steady rhythm, and
 get their melody and rhythm scored at once; speech therapists set up each patient, assign
 phrase sets, review the recordings and print reports. Everything stays on the computer.
 .
 The package carries its own Python and libraries under /opt/mitpractice. Removing it leaves
 every user's data folder (~/.local/share/mitpractice) as it is.
EOF
# No maintainer scripts: installing and removing touch only the package's own files; the
# menu and icon caches are refreshed by the desktop's own dpkg triggers. Compressed with zstd,
# as Ubuntu's own packages are (dpkg 1.21.18 or newer: Debian 12, Ubuntu 21.10): level 9 gave
# 244 MB in about a minute here (level 3: 263 MB), where xz -6 had not finished after ten.
dpkg-deb --root-owner-group -Zzstd -z9 --build "$root" "$deb" >/dev/null
ls -l "$tarball" "$deb"
