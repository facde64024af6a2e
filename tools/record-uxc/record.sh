#!/bin/bash
# Records what OpenWrt's uxc, procd and ujail print and answer, for the uxc EE's fixtures
# (test/fixtures/openwrt/uxc/README.md says what was recorded and with which commits).
#
#   tools/record-uxc/record.sh SRC WORK OUT
#
# SRC holds the source trees libubox, ubus, uci, udebug and procd (e.g. `git clone` of
# https://git.openwrt.org/project/<name>.git at the commits the fixture README names); WORK is an
# empty scratch directory (the builds, the bundles, the namespace's overlays); OUT receives
# session.json, ubus-monitor.txt and procd-log.txt. Needs root, unshare (util-linux), overlayfs,
# cmake, gcc, node, busybox, and libjson-c-dev libcap-dev libseccomp-dev. Nothing outside WORK
# and OUT changes: procd, ubusd and the containers run in a private PID and mount namespace.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 SRC WORK OUT" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SRC=$(cd "$1" && pwd)
mkdir -p "$2" "$3"
WORK=$(cd "$2" && pwd)
OUT=$(cd "$3" && pwd)
ROOT=$WORK/root

"$HERE/build.sh" "$SRC" "$WORK"

# The four recorded bundles: their config.json from the fixtures, a root file system holding the
# host's busybox and the libraries it links.
R=$WORK/bundle-rootfs
rm -rf "$R" && mkdir -p "$R/bin" "$R/proc" "$R/dev" "$R/sys" "$R/tmp"
BB=$(command -v busybox)
cp "$BB" "$R/bin/busybox"
for l in $(ldd "$BB" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$l")" && cp -L "$l" "$R$l"; done
for a in sh sleep echo; do ln -sf busybox "$R/bin/$a"; done
for b in ticker stubborn crasher broken; do
  rm -rf "$WORK/bundles/$b" && mkdir -p "$WORK/bundles/$b"
  cp -a "$R" "$WORK/bundles/$b/rootfs"
  cp "$REPO/test/fixtures/openwrt/uxc/bundles/$b.config.json" "$WORK/bundles/$b/config.json"
done

rm -rf "$WORK/steps" && mkdir -p "$WORK/steps"
unshare -p -f -m --mount-proc "$HERE/in-namespace.sh" "$WORK"

# One JSON file of the steps, in order: argv, exit code, stdout and stderr as captured.
node - "$WORK/steps" "$OUT/session.json" <<'JS'
const fs = require('node:fs');
const [dir, out] = process.argv.slice(2);
const read = (b, ext) => fs.readFileSync(`${dir}/${b}.${ext}`, 'utf8');
const steps = fs.readdirSync(dir).filter((f) => f.endsWith('.argv')).sort().map((f) => {
  const b = f.slice(0, -5);
  return { step: b, argv: read(b, 'argv').split('\n').slice(0, -1), exitCode: Number(read(b, 'exit')), stdout: read(b, 'stdout'), stderr: read(b, 'stderr') };
});
fs.writeFileSync(out, `${JSON.stringify(steps, null, 2)}\n`);
JS
# The requests as clients sent them (lookups, replies and object signatures left out).
grep -E ' (invoke|notify): ' "$WORK/steps/ubus-monitor.raw" | grep '^<-' > "$OUT/ubus-monitor.txt"
cp "$WORK/procd.log" "$OUT/procd-log.txt"
echo "recorded $(grep -c '"step"' "$OUT/session.json") steps into $OUT"
