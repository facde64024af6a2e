#!/bin/bash
# PID 1 of `unshare -p -f -m --mount-proc` (tools/record-uxc/record.sh): private mounts, ubusd,
# procd in its non-PID-1 mode (it only connects to ubus and serves its objects), then the
# recorded steps; each step's argv, stdout, stderr and exit code into WORK/steps/NN-label.*,
# `ubus monitor` meanwhile into WORK/steps/ubus-monitor.raw. The namespace ends with this script.
set -eu
WORK=$1
ROOT=$WORK/root
OUT=$WORK/steps
mount --make-rprivate /
# ubusd's socket is /var/run/ubus/ubus.sock; uxc writes /etc/uxc/<name>.json; procd starts /sbin/ujail.
mount -t tmpfs tmpfs /run
mkdir -p /run/ubus
for d in etc sbin; do rm -rf "$WORK/ns-$d-up" "$WORK/ns-$d-work" && mkdir -p "$WORK/ns-$d-up" "$WORK/ns-$d-work"; done
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$WORK/ns-etc-up,workdir=$WORK/ns-etc-work" /etc
SBIN=$(readlink -f /sbin)
mount -t overlay overlay -o "lowerdir=$ROOT/sbin:$SBIN,upperdir=$WORK/ns-sbin-up,workdir=$WORK/ns-sbin-work" "$SBIN"
mkdir -p /etc/uxc /etc/ld.so.conf.d
echo "$ROOT/lib" > /etc/ld.so.conf.d/zz-record-uxc.conf
ldconfig
cp "$ROOT/bin/ubus" "$SBIN/ubus"
# The DUs where an agent would unpack them: no path of the recording machine in the recordings.
mount -t tmpfs tmpfs /srv
i=1
for b in ticker stubborn crasher broken; do
  d=/srv/usp-agent/software/du-$i-1764921600000
  mkdir -p "$d" && mount --bind "$WORK/bundles/$b" "$d"
  i=$((i + 1))
done
ubusd > "$WORK/ubusd.log" 2>&1 &
for _ in $(seq 50); do [ -S /run/ubus/ubus.sock ] && break; sleep 0.1; done
procd -S -d 3 > "$WORK/procd.log" 2>&1 &
for _ in $(seq 50); do ubus list container > /dev/null 2>&1 && break; sleep 0.1; done

set +e
n=0
rec() { # label argv...
  n=$((n + 1))
  local f
  f=$(printf '%s/%02d-%s' "$OUT" "$n" "$1")
  shift
  printf '%s\n' "$@" > "$f.argv"
  "$@" > "$f.stdout" 2> "$f.stderr"
  echo $? > "$f.exit"
  echo "== $(basename "$f"): $* -> $(cat "$f.exit")"
}
waitfor() { # name status: waits, unrecorded, until `uxc state name` says status
  for _ in $(seq 100); do uxc state "$1" 2> /dev/null | grep -q "\"status\": \"$2\"" && return 0; sleep 0.1; done
  echo "timeout waiting for $1 to be $2"
}
D=/srv/usp-agent/software
ubus monitor > "$OUT/ubus-monitor.raw" 2>&1 &
MON=$!
sleep 0.5
rec version uxc -V
rec list-empty-json uxc list --json
rec list-empty uxc list
rec container-features ubus call container get_features
# ticker: traps SIGTERM and exits 0
rec create uxc create usp-eu-1 --bundle $D/du-1-1764921600000
rec create-config cat /etc/uxc/usp-eu-1.json
waitfor usp-eu-1 created
rec list-created-json uxc list --json
rec state-created uxc state usp-eu-1
rec ubus-container-list-created ubus call container list
rec ubus-state-created ubus call container.usp-eu-1 state
rec start uxc start usp-eu-1
waitfor usp-eu-1 running
rec list-running-json uxc list --json
rec list-running uxc list
rec state-running uxc state usp-eu-1
rec create-while-running uxc create usp-eu-1 --bundle $D/du-1-1764921600000
rec start-while-running uxc start usp-eu-1
rec delete-while-running uxc delete usp-eu-1
rec kill-term uxc kill usp-eu-1
waitfor usp-eu-1 stopped
rec list-stopped-json uxc list --json
rec state-stopped uxc state usp-eu-1
rec ubus-container-list-stopped ubus call container list
rec start-stopped uxc start usp-eu-1
rec kill-stopped uxc kill usp-eu-1
rec recreate-with-bundle uxc create usp-eu-1 --bundle $D/du-1-1764921600000
rec delete uxc delete usp-eu-1
rec list-after-delete-json uxc list --json
rec state-unknown uxc state usp-eu-1
rec start-unknown uxc start usp-eu-1
rec kill-unknown uxc kill usp-eu-1
rec delete-unknown uxc delete usp-eu-1
# stubborn: its PID 1 shell has no TERM handler, so SIGTERM does nothing; KILL ends it
rec stubborn-create uxc create usp-eu-2 --bundle $D/du-2-1764921600000
waitfor usp-eu-2 created
rec stubborn-start uxc start usp-eu-2
waitfor usp-eu-2 running
rec stubborn-kill-term uxc kill usp-eu-2
sleep 3
rec stubborn-state-after-term uxc state usp-eu-2
rec stubborn-kill-kill uxc kill usp-eu-2 --signal KILL
waitfor usp-eu-2 stopped
rec stubborn-list-killed-json uxc list --json
rec stubborn-delete uxc delete usp-eu-2
# crasher: exits 3 on its own after a second
rec crasher-create uxc create usp-eu-3 --bundle $D/du-3-1764921600000
waitfor usp-eu-3 created
rec crasher-start uxc start usp-eu-3
waitfor usp-eu-3 stopped
rec crasher-list-exited-json uxc list --json
rec crasher-state-exited uxc state usp-eu-3
rec crasher-delete uxc delete usp-eu-3
# broken: its entry point does not exist in the root file system
rec broken-create uxc create usp-eu-4 --bundle $D/du-4-1764921600000
sleep 1
rec broken-list-json uxc list --json
rec broken-state uxc state usp-eu-4
rec broken-start uxc start usp-eu-4
sleep 1
rec broken-list-after-start-json uxc list --json
rec broken-delete-force uxc delete usp-eu-4 --force
rec broken-list-after-delete-json uxc list --json
# created but never started: delete needs --force
rec created-create uxc create usp-eu-1 --bundle $D/du-1-1764921600000
waitfor usp-eu-1 created
rec created-delete uxc delete usp-eu-1
rec created-delete-force uxc delete usp-eu-1 --force
rec created-list-after-delete-json uxc list --json
# a bundle directory that does not exist
rec missing-bundle-create uxc create usp-eu-5 --bundle $D/du-5-missing
sleep 1
rec missing-bundle-list-json uxc list --json
rec missing-bundle-delete-force uxc delete usp-eu-5 --force
rec final-list-json uxc list --json
# two containers in one list
rec two-create-1 uxc create usp-eu-1 --bundle $D/du-1-1764921600000
rec two-create-2 uxc create usp-eu-2 --bundle $D/du-2-1764921600000
waitfor usp-eu-1 created
waitfor usp-eu-2 created
rec two-start-1 uxc start usp-eu-1
waitfor usp-eu-1 running
rec two-list-json uxc list --json
rec two-kill-1 uxc kill usp-eu-1
rec two-delete-force-2 uxc delete usp-eu-2 --force
waitfor usp-eu-1 stopped
rec two-delete-1 uxc delete usp-eu-1
rec two-final-list-json uxc list --json
sleep 0.5
kill $MON
