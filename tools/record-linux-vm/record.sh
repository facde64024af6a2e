#!/bin/bash
# Records what Linux's Wi-Fi and bridge tools print, in a Debian virtual machine whose kernel has
# what the build machine's lacks (mac80211_hwsim radios, the bridge and 802.1Q modules), for the
# fixtures of the Linux platform (test/fixtures/linux/<scenario>/README.md says what ran).
#
#   tools/record-linux-vm/record.sh WORK OUT SCENARIO
#
# SCENARIO is a guest script of this folder (scenario-wifi.sh, scenario-wifi-endpoint.sh, scenario-wifi-writes.sh, scenario-wifi-radio-writes.sh,
# scenario-wifi-add.sh, scenario-wifi-enterprise-wps-wep.sh, scenario-wifi-endpoint-global.sh, scenario-bridge-vlan.sh, scenario-vlan-termination.sh, scenario-usb-sysfs.sh); WORK a
# scratch directory (the Debian root file system is made there once with debootstrap and reused);
# OUT receives session.json (every step: argv, exit code, stdout, stderr, as captured); the guest
# kernel's log stays in WORK/out/kernel.log. Needs root, debootstrap, e2fsprogs (mke2fs -d, debugfs), qemu-system-x86 and node,
# and Debian's package mirror. Nothing outside WORK and OUT changes: the guest has its own kernel.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 WORK OUT SCENARIO" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" "$2"
WORK=$(cd "$1" && pwd)
OUT=$(cd "$2" && pwd)
SCENARIO=$HERE/$3
[ -f "$SCENARIO" ] || { echo "no scenario $3 in $HERE" >&2; exit 2; }
R=$WORK/rootfs
MIRROR=${MIRROR:-http://deb.debian.org/debian}
# The packages whose outputs are recorded, and the kernel with the modules they need.
PACKAGES=iproute2,iw,hostapd,wpasupplicant,wireless-regdb,iputils-ping,kmod,busybox,ethtool,linux-image-amd64
if [ ! -x "$R/usr/sbin/hostapd" ]; then
  rm -rf "$R"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$R" "$MIRROR" > "$WORK/debootstrap.log"
fi

# The guest's init: the scenario with a step recorder, then power off. Steps go to /out/steps.
cp "$SCENARIO" "$R/scenario.sh"
# What several scenarios share (the Wi-Fi access points), sourced by them as /wifi-aps.sh.
cp "$HERE/wifi-aps.sh" "$R/wifi-aps.sh"
cat > "$R/record-init.sh" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t tmpfs tmp /tmp; mount -t tmpfs run /run
rm -rf /out && mkdir -p /out/steps
n=0
# rec LABEL ARGV...: runs ARGV and keeps what it printed and its exit code as one step.
rec() {
  label=$1; shift; n=$((n + 1))
  b=/out/steps/$(printf %02d "$n")-$label
  printf '%s\n' "$@" > "$b.argv"
  "$@" > "$b.stdout" 2> "$b.stderr"
  echo $? > "$b.exit"
}
# recin LABEL STDIN ARGV...: as rec, with the text STDIN on ARGV's standard input (kept as the
# step's stdin) and HOME unset, as the agent runs hostapd_cli's interactive mode (no history file).
recin() {
  label=$1; input=$2; shift 2; n=$((n + 1))
  b=/out/steps/$(printf %02d "$n")-$label
  printf '%s\n' "$@" > "$b.argv"
  printf '%s' "$input" > "$b.stdin"
  printf '%s' "$input" | env -u HOME "$@" > "$b.stdout" 2> "$b.stderr"
  echo $? > "$b.exit"
}
. /scenario.sh
dmesg > /out/kernel.log
sync
echo o > /proc/sysrq-trigger
sleep 30
INIT
chmod +x "$R/record-init.sh"
rm -f "$WORK/disk.img"
mke2fs -q -t ext4 -d "$R" "$WORK/disk.img" 3G
K=$(ls "$R"/boot/vmlinuz-* | sort | tail -1)
I=$(ls "$R"/boot/initrd.img-* | sort | tail -1)
# Software emulation: nested KVM hangs the guest kernel on some hosts; a run takes a few minutes.
# QEMU_EXTRA: more devices for the guest (scenario-usb-sysfs.sh's header names the USB ones).
# shellcheck disable=SC2086
timeout 900 qemu-system-x86_64 -accel tcg -m 1536 -smp 1 -nographic -no-reboot ${QEMU_EXTRA:-} \
  -kernel "$K" -initrd "$I" -drive "file=$WORK/disk.img,if=virtio,format=raw" \
  -append "root=/dev/vda rw console=ttyS0 panic=-1 init=/record-init.sh" > "$WORK/console.log" 2>&1 || true
rm -rf "$WORK/out"
debugfs -R "rdump /out $WORK" "$WORK/disk.img" > /dev/null 2>&1
[ -d "$WORK/out/steps" ] || { echo "the guest recorded nothing; see $WORK/console.log" >&2; exit 1; }

node - "$WORK/out/steps" "$OUT/session.json" <<'JS'
const fs = require('node:fs');
const [dir, out] = process.argv.slice(2);
const read = (b, ext) => fs.readFileSync(`${dir}/${b}.${ext}`, 'utf8');
// By step number: a scenario of more than 99 steps names them 100-... after 99-...
const num = (f) => Number(f.split('-')[0]);
const steps = fs.readdirSync(dir).filter((f) => f.endsWith('.argv')).sort((x, y) => num(x) - num(y)).map((f) => {
  const b = f.slice(0, -5);
  const stdin = fs.existsSync(`${dir}/${b}.stdin`) ? { stdin: read(b, 'stdin') } : {};
  return { step: b, argv: read(b, 'argv').split('\n').slice(0, -1), ...stdin, exitCode: Number(read(b, 'exit')), stdout: read(b, 'stdout'), stderr: read(b, 'stderr') };
});
fs.writeFileSync(out, `${JSON.stringify(steps, null, 2)}\n`);
JS
echo "recorded $(grep -c '"step"' "$OUT/session.json") steps into $OUT"
