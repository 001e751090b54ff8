#!/bin/sh
# Install (or update) the Wegwijzer kiosk on a Debian 12 / Ubuntu 22.04+ mini-PC.
#
#   sudo ./install.sh /path/to/dist/wegwijzer          # the one-folder build (make package)
#
# It installs cage and PipeWire (sound), creates the unprivileged user "wegwijzer", copies the build to /opt/wegwijzer (the old one is
# kept as /opt/wegwijzer.previous until the new one passes its self-test), installs the systemd unit and its PAM
# file, and starts the kiosk on tty1 instead of the login prompt. Run it again to update; it changes nothing else.
set -eu

BUILD="${1:-}"
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ "$(id -u)" -ne 0 ]; then echo "run as root (sudo $0 $*)" >&2; exit 1; fi
if [ -z "$BUILD" ] || [ ! -x "$BUILD/wegwijzer" ]; then
    echo "usage: sudo $0 /path/to/dist/wegwijzer   (the folder with the wegwijzer executable)" >&2; exit 1
fi

echo "== packages"
apt-get update -q
# cage needs Xwayland (it will not start without it). The kiosk takes from the system what must match it: the
# C++ runtime, D-Bus, PulseAudio, Wayland, EGL/GL and xcb client libraries (its self-test checks they load).
# PipeWire is the sound server, started in the kiosk user's session.
apt-get install -y -q cage xwayland dbus libpam-systemd \
    libstdc++6 libdbus-1-3 libpulse0 pipewire pipewire-pulse wireplumber \
    libwayland-client0 libwayland-cursor0 libwayland-egl1 libxkbcommon0 libegl1 libgl1 libfontconfig1 \
    libxkbcommon-x11-0 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
    libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1
systemctl --global enable pipewire.socket pipewire-pulse.socket wireplumber.service >/dev/null 2>&1 || true

echo "== user"
if ! id wegwijzer >/dev/null 2>&1; then
    adduser --system --group --home /var/lib/wegwijzer --shell /usr/sbin/nologin wegwijzer
fi
for group in video input render audio; do
    if getent group "$group" >/dev/null; then adduser wegwijzer "$group" >/dev/null; fi
done

echo "== program"
rm -rf /opt/wegwijzer.new
cp -a "$BUILD" /opt/wegwijzer.new
chown -R root:root /opt/wegwijzer.new
chmod -R go-w /opt/wegwijzer.new
cp "$HERE/README.md" /opt/wegwijzer.new/README-linux.md
if ! QT_QPA_PLATFORM=offscreen /opt/wegwijzer.new/wegwijzer --self-test; then
    echo "the new build fails its self-test: nothing was changed" >&2
    rm -rf /opt/wegwijzer.new
    exit 1
fi
if [ -d /opt/wegwijzer ]; then rm -rf /opt/wegwijzer.previous; mv /opt/wegwijzer /opt/wegwijzer.previous; fi
mv /opt/wegwijzer.new /opt/wegwijzer

echo "== service"
install -m 0644 "$HERE/wegwijzer-kiosk.service" /etc/systemd/system/wegwijzer-kiosk.service
install -m 0644 "$HERE/wegwijzer-kiosk.pam" /etc/pam.d/wegwijzer-kiosk
systemctl daemon-reload
systemctl disable getty@tty1.service >/dev/null 2>&1 || true
systemctl set-default graphical.target >/dev/null
systemctl enable wegwijzer-kiosk.service
systemctl restart wegwijzer-kiosk.service

echo
echo "Installed. Next:"
echo "  set the staff PIN:  sudo -u wegwijzer WEGWIJZER_DATA_DIR=/var/lib/wegwijzer /opt/wegwijzer/wegwijzer staff set-pin"
echo "  see the log:        journalctl -u wegwijzer-kiosk -f"
