#!/usr/bin/env bash
# Packs the one-folder build into a .deb: /opt/counter-app (the program), /usr/bin/counter-app (a link to it),
# /usr/share/applications/counter-app.desktop (the menu entry).
# Usage: installer/linux/build_deb.sh DIST_FOLDER VERSION OUT_DIR   (make dist runs it)
set -euo pipefail

dist_folder=$(realpath "$1")
version=$2
out_dir=$(realpath "$3")
[ -x "$dist_folder/counter-app" ] || { echo "no program at $dist_folder/counter-app: build it first" >&2; exit 1; }

arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications"
cp -a "$dist_folder" "$stage/opt/counter-app"
ln -s /opt/counter-app/counter-app "$stage/usr/bin/counter-app"
chmod -R u=rwX,go=rX "$stage/opt/counter-app"

cat > "$stage/usr/share/applications/counter-app.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.0
Name=Bộ phận Một cửa
GenericName=Tiếp nhận và trả kết quả
Comment=Tiếp nhận hồ sơ, in giấy hẹn, theo dõi và trả kết quả thủ tục hành chính
Exec=/opt/counter-app/counter-app
Terminal=false
Categories=Office;
Keywords=một cửa;hồ sơ;tiếp nhận;
StartupNotify=true
DESKTOP

installed_kb=$(du -sk "$stage/opt" | cut -f1)
# Qt's xcb platform needs these beyond a minimal desktop (see shared/stack-notes.md); the keyring is optional.
cat > "$stage/DEBIAN/control" <<CONTROL
Package: counter-app
Version: $version
Architecture: $arch
Maintainer: counter_app <counter-app@localhost>
Section: misc
Priority: optional
Installed-Size: $installed_kb
Depends: libxcb-icccm4, libxcb-keysyms1, libxcb-cursor0, libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3
Recommends: gnome-keyring, cups-client
Description: Bộ phận Một cửa — tiếp nhận và trả kết quả
 Ứng dụng của bộ phận tiếp nhận và trả kết quả (một cửa) cấp phường, xã:
 tiếp nhận hồ sơ, in giấy tiếp nhận và hẹn trả kết quả, theo dõi hạn giải quyết,
 trả kết quả; làm việc ngoại tuyến và đồng bộ với máy chủ trung tâm.
 Dữ liệu nằm trong thư mục dữ liệu của người dùng, không bị xóa khi gỡ cài đặt.
CONTROL

mkdir -p "$out_dir"
package="$out_dir/counter-app_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zzstd --build "$stage" "$package" >/dev/null
echo "$package"
