/**
 * The OpenWrt package's dhcp hotplug handler (openwrt/files/usp-agent.dhcp-hotplug) fed by a real
 * dnsmasq: dnsmasq serves a DHCPv4 pool in its own network namespace with `--dhcp-script`
 * pointing at a stand-in written here of what OpenWrt puts between them: its
 * /usr/lib/dnsmasq/dhcp-script.sh (add/del/old become ACTION add/remove/update with MACADDR,
 * IPADDR, HOSTNAME and the lease's DNSMASQ_* variables, read line by line from `env`) and procd's
 * hotplug.dhcp dispatch (empty values dropped, the handler sourced by `sh -c` with that
 * environment only). A real busybox udhcpc in a second namespace asks with a vendor class (-V),
 * a client identifier (option 61) and a user class (option 77). The records the handler writes
 * are read by the Linux DhcpClassLearning the OpenWrt Filter table uses (the table itself:
 * test/unit/platform/openwrt/bridge-filter-dhcp.test.ts).
 * Needs root, ip netns, dnsmasq and busybox.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DhcpClassLearning } from '../../platform/linux/dhcp-class-learning.js';

const HANDLER = fileURLToPath(new URL('../../openwrt/files/usp-agent.dhcp-hotplug', import.meta.url));
const tag = process.pid % 100_000;
const SERVER = `usp-owd-s${tag}`;
const CLIENT = `usp-owd-c${tag}`;
const LINK = `owd${tag}`;
const MAC = '02:00:00:00:79:0a';
const work = mkdtempSync(join(tmpdir(), 'usp-owrt-dhcp-'));
const records = join(work, 'usp-agent-dhcp-classes');
/** Each call of the stand-in: the hotplug ACTION, and whether dnsmasq said the lease's data is missing. */
const calls = join(work, 'calls');
let dnsmasq: ReturnType<typeof spawn> | undefined;
let learning: DhcpClassLearning | undefined;

/**
 * Written here (not OpenWrt's code): what dhcp-script.sh and procd's hotplug.dhcp do between
 * dnsmasq and a /etc/hotplug.d/dhcp handler, as platform/openwrt/dhcp-class-hotplug.ts describes.
 */
const DHCP_SCRIPT_STANDIN = `#!/bin/sh
case "$1" in add) action=add ;; del) action=remove ;; old) action=update ;; *) exit 0 ;; esac
mac="$2"; ip="$3"; host="$4"
echo "$action \${DNSMASQ_DATA_MISSING:+data-missing}" >> '${calls}'
set --
IFS='
'
for var in $(env | grep '^DNSMASQ_'); do
	[ -n "\${var#*=}" ] && set -- "$@" "$var"
done
unset IFS
exec env -i PATH="$PATH" USP_AGENT_DHCP_CLASSES='${records}' ACTION="$action" MACADDR="$mac" IPADDR="$ip" \${host:+HOSTNAME="$host"} "$@" sh -c '. ${HANDLER}'
`;

/** One DHCP exchange of the client (busybox udhcpc, `args` added); the address leased, or FAIL. */
function udhcpc(...args: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', CLIENT, 'busybox', 'udhcpc', '-i', `${LINK}c`, '-f', '-q', '-n', '-t', '4', '-T', '1', '-s', '/bin/true', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return /lease of (\S+) obtained/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? `FAIL ${r.stdout}${r.stderr}`;
}

function startDnsmasq(): ReturnType<typeof spawn> {
  return spawn(
    'ip',
    [
      'netns',
      'exec',
      SERVER,
      'dnsmasq',
      '--keep-in-foreground',
      '--port=0',
      `--interface=${LINK}s`,
      '--bind-interfaces',
      '--dhcp-range=10.79.0.10,10.79.0.20,1h',
      `--dhcp-leasefile=${join(work, 'leases')}`,
      `--dhcp-script=${join(work, 'dhcp-script.sh')}`,
      '--user=root',
    ],
    { stdio: 'ignore' },
  );
}
const callLines = (): string[] => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);

beforeAll(async () => {
  writeFileSync(join(work, 'dhcp-script.sh'), DHCP_SCRIPT_STANDIN, { mode: 0o755 });
  execFileSync('ip', ['netns', 'add', SERVER]);
  execFileSync('ip', ['netns', 'add', CLIENT]);
  execFileSync('ip', ['-n', SERVER, 'link', 'add', `${LINK}s`, 'type', 'veth', 'peer', 'name', `${LINK}c`, 'netns', CLIENT]);
  execFileSync('ip', ['-n', SERVER, 'addr', 'add', '10.79.0.1/24', 'dev', `${LINK}s`]);
  execFileSync('ip', ['-n', SERVER, 'link', 'set', `${LINK}s`, 'up']);
  execFileSync('ip', ['-n', CLIENT, 'link', 'set', `${LINK}c`, 'address', MAC, 'up']);
  dnsmasq = startDnsmasq();
  learning = new DhcpClassLearning(records);
  mkdirSync(records);
  await learning.start();
}, 60_000);

afterAll(() => {
  learning?.stop();
  dnsmasq?.kill();
  for (const ns of [SERVER, CLIENT]) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(work, { recursive: true, force: true });
});

describe('OpenWrt dhcp hotplug handler behind a real dnsmasq and busybox udhcpc', () => {
  it('records the DHCPv4 options of the lease, replaces them when the client asks again, and keeps them when dnsmasq restarts', async () => {
    await expect.poll(() => udhcpc('-V', 'usp-cam', '-C', '-x', '0x3d:01aabbccddeeff', '-x', '0x4d:03616263'), { timeout: 30_000, interval: 500 }).toMatch(/^10\.79\.0\.\d+$/);
    await expect
      .poll(() => learning!.clients(), { timeout: 10_000 })
      .toEqual([{ family: 4, mac: MAC, vendorClass: Buffer.from('usp-cam'), clientIdHex: '01aabbccddeeff', userClassHex: ['03616263', '616263'] }]);

    // The same client again with another vendor class and no user class (dnsmasq: "old", with the options).
    expect(udhcpc('-V', 'other-dev', '-C', '-x', '0x3d:01aabbccddeeff')).toMatch(/^10\.79\.0\.\d+$/);
    await expect.poll(() => learning!.clients(), { timeout: 10_000 }).toEqual([{ family: 4, mac: MAC, vendorClass: Buffer.from('other-dev'), clientIdHex: '01aabbccddeeff', userClassHex: [] }]);

    // dnsmasq restarts (as on every UCI dhcp change) and replays the lease without its options: the record stays.
    const before = callLines().length;
    const stopped = dnsmasq!;
    await new Promise<void>((resolve) => {
      stopped.once('exit', () => resolve());
      stopped.kill();
    });
    dnsmasq = startDnsmasq();
    // (dnsmasq 2.90 replays each lease more than once as it starts: each time without the options.)
    await expect.poll(() => callLines().length, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(new Set(callLines().slice(before))).toEqual(new Set(['update data-missing']));
    await learning!.read();
    expect(learning!.clients()).toEqual([{ family: 4, mac: MAC, vendorClass: Buffer.from('other-dev'), clientIdHex: '01aabbccddeeff', userClassHex: [] }]);
    expect(readdirSync(records)).toEqual([`4-${MAC}`]);
    expect(callLines().slice(0, before)).toEqual(['add ', 'update ']);
  }, 90_000);
});
