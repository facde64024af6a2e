/**
 * One busybox udhcpc the agent owns for an enabled Device.DHCPv4.Client.{i}. on generic Linux
 * (`--dhcp-client udhcpc`): `busybox udhcpc -f -i DEV -s SCRIPT -p PIDFILE [-x TAG:HEX]... -o -x 0x37:LIST`.
 *
 * - The script (UDHCPC_SCRIPT, written into the data directory) applies the lease itself with
 *   `ip`, as busybox's own default script does: udhcpc waits for its script, so the address is on
 *   the interface before udhcpc answers an ARP or renews, and deconfig/bound/renew are applied in
 *   the order they happen even while the agent is busy. It removes only the address it added
 *   (kept beside the lease file), never flushes the interface: a static management address on
 *   the same device stays. It records the lease for the agent (udhcpc-lease.ts).
 * - A child that exits on its own is started again after a back-off: 1 s, doubling up to 60 s,
 *   back to 1 s once one has run for a minute.
 * - `release()` (Delete, Disable): SIGUSR2, which makes udhcpc send DHCPRELEASE and run its
 *   deconfig, then SIGTERM once the script has recorded it (at most 3 s). `stop()` (the agent
 *   stops): SIGTERM only, the lease kept, so the interface keeps its address until the next
 *   agent's udhcpc takes over.
 * - A child left by an agent that was killed is found at the next start by its pid file and ended.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { DhcpClientChild, type DhcpClientCommand } from './dhcp-client-child.js';
import { parseLeaseRecord } from './udhcpc-lease.js';

const RELEASE_WAIT_MS = 3000;

/**
 * The script udhcpc runs at each event ($1). USP_LEASE_FILE and USP_VARS come from the agent (a
 * path in its data directory, names of [a-z0-9] only); everything else from udhcpc. No value is
 * evaluated: `eval` only expands the variable whose name the agent gave.
 */
export const UDHCPC_SCRIPT = `#!/bin/sh
# Written by usp-agent (Device.DHCPv4.Client): applies udhcpc's lease with ip and records it.
f="$USP_LEASE_FILE"
old=""
[ -s "$f.addr" ] && old="$(cat "$f.addr")"
case "$1" in
  deconfig)
    [ -n "$old" ] && ip addr del "$old" dev "$interface" 2>/dev/null
    ip route del default dev "$interface" proto dhcp 2>/dev/null
    rm -f "$f.addr" ;;
  bound|renew)
    if [ -n "$old" ] && [ "$old" != "$ip/$mask" ]; then ip addr del "$old" dev "$interface" 2>/dev/null; fi
    ip addr replace "$ip/$mask" brd + dev "$interface"
    echo "$ip/$mask" > "$f.addr"
    for r in $router; do ip route replace default via "$r" dev "$interface" proto dhcp; break; done ;;
esac
{
  printf 'event=%s\\0' "$1"
  for v in $USP_VARS; do
    eval "val=\\\${$v-}"
    if [ -n "$val" ]; then printf '%s=%s\\0' "$v" "$val"; fi
  done
} > "$f.tmp" && mv -f "$f.tmp" "$f"
exit 0
`;

/** Writes the script (once per start; the same text every time). */
export function writeUdhcpcScript(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, UDHCPC_SCRIPT, { mode: 0o755 });
}

export interface UdhcpcSpec {
  device: string;
  /** The -x/-o/-V arguments (udhcpc-lease.ts optionArgs). */
  optionArgs: string[];
  /** The variables the script records. */
  vars: string[];
}

export interface UdhcpcFiles {
  script: string;
  leaseFile: string;
  pidFile: string;
}

/** Supervises one udhcpc child. */
export class UdhcpcProcess extends DhcpClientChild {
  constructor(
    readonly spec: UdhcpcSpec,
    private readonly files: UdhcpcFiles,
    binary: string,
    log?: Logger,
  ) {
    super('udhcpc', spec.device, binary, log);
  }

  start(): void {
    endLeftover(this.files.pidFile);
    this.launch();
  }

  protected command(): DhcpClientCommand {
    const { device, optionArgs, vars } = this.spec;
    const args = ['udhcpc', '-f', '-i', device, '-s', this.files.script, '-p', this.files.pidFile, ...optionArgs];
    // A small environment: the script sees udhcpc's variables and the agent's two, nothing of the agent's own.
    const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', USP_LEASE_FILE: this.files.leaseFile, USP_VARS: vars.join(' ') };
    return { args, options: { env } };
  }

  /** Delete or Disable: releases the lease (SIGUSR2), then ends the child. */
  async release(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      child.kill('SIGUSR2');
      const deadline = Date.now() + RELEASE_WAIT_MS;
      while (Date.now() < deadline && leaseEvent(this.files.leaseFile) !== 'deconfig') await new Promise((r) => setTimeout(r, 50));
    }
    await this.end();
  }

  /** Ends the child (SIGTERM, SIGKILL after 5 s) and any pending restart; the lease is kept. */
  async end(): Promise<void> {
    await this.endChild();
  }
}

function leaseEvent(file: string): string | undefined {
  try {
    return parseLeaseRecord(readFileSync(file, 'latin1')).event;
  } catch {
    return undefined;
  }
}

/** Ends a udhcpc an earlier agent left running with this pid file (it was killed without its stop). */
function endLeftover(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pidFile)) return;
    process.kill(pid, 'SIGTERM');
  } catch {
    /* gone already */
  }
}
