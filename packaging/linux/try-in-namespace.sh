#!/bin/sh
# Try the kiosk session on a machine without a screen: systemd runs as PID 1 in its own PID and mount namespace,
# install.sh installs the build as on a mini-PC, cage draws into memory (wlroots' headless backend), and the
# kiosk is killed five times; each time the seconds until its first screen is painted again are printed.
#
#   sudo ./try-in-namespace.sh /path/to/dist/wegwijzer
#
# For a throwaway Debian VM only: install.sh really installs packages, adds the user "wegwijzer" and writes
# /opt/wegwijzer and /etc/systemd/system. The namespace's systemd is stopped at the end; what install.sh set up
# stays (undo: packaging/linux/README.md, "Stop for good").
set -eu

BUILD="${1:?usage: sudo $0 /path/to/dist/wegwijzer}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PAINTED=/var/lib/wegwijzer/painted
DROPIN=/etc/systemd/system/wegwijzer-kiosk.service.d/try-headless.conf
TARGET=/etc/systemd/system/wegwijzer-try.target

mkdir -p "$(dirname "$DROPIN")"
cat > "$DROPIN" <<EOF
# try-in-namespace.sh: no screen and no GPU, so cage draws into memory; the kiosk says when it has painted.
[Service]
Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
Environment=WEGWIJZER_READY_FILE=$PAINTED
EOF
cat > "$TARGET" <<EOF
[Unit]
Description=Wegwijzer try-out: journald, D-Bus, logind and the kiosk
Wants=systemd-journald.socket dbus.socket systemd-logind.service wegwijzer-kiosk.service
EOF

echo "== systemd as PID 1 in a namespace"
# Its own /tmp: at boot systemd-tmpfiles empties /tmp, which would otherwise be this machine's.
container=wegwijzer-try setsid unshare --pid --fork --mount --propagation private --mount-proc --cgroup \
    sh -c 'mount -t tmpfs tmpfs /tmp && exec /lib/systemd/systemd --system --unit=wegwijzer-try.target' \
    >/dev/null 2>&1 &
sleep 1
PID1="$(pgrep -f -n '^/lib/systemd/systemd --system --unit=wegwijzer-try.target')"
inside() { nsenter -t "$PID1" -m -p "$@"; }
until inside systemctl is-system-running 2>/dev/null | grep -q -E 'running|degraded'; do sleep 0.5; done

echo "== install.sh"
inside sh "$HERE/install.sh" "$(cd "$BUILD" && pwd)"

echo "== restart after kill -9"
until [ -f "$PAINTED" ]; do sleep 0.1; done
for attempt in 1 2 3 4 5; do
    sleep 3
    old="$(pgrep -f '^/opt/wegwijzer/wegwijzer run')"
    rm -f "$PAINTED"
    start="$(date +%s.%N)"
    kill -9 "$old"
    until [ -f "$PAINTED" ]; do sleep 0.05; done
    echo "kill $attempt: painted again after $(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }") s"
done

echo "== stop"
kill -9 "$PID1"
rm -f "$DROPIN" "$TARGET"
