/**
 * Device.DHCPv6.Server. on generic Linux, for real: the built agent process (`npm run build`
 * first) runs with `--platform linux --dnsmasq on` in a router namespace; a controller Adds a
 * Pool on the LAN veth and an Option over a real WebSocket, and a LAN namespace's real DHCPv6
 * client (dhcpcd -6, its lease and run directories on a tmpfs of its own mount namespace) gets
 * an address from the LAN /64 and the DNS server of the Option; the pool's Client row shows the
 * lease and, as SourceAddress, the link-local address dhcpcd sent from. IANAEnable false turns the range stateless; a restart writes the same lines again from
 * the stored rows. Bad input (an Interface without a global IPv6 address or that is no
 * IP.Interface, a Value that is not hexBinary or not of its option's type, a Tag the protocol
 * sets itself, a duplicate Order, prefix delegation, which dnsmasq cannot do) is refused with
 * nothing kept. Needs root, dnsmasq and dhcpcd; the namespaces are removed afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';
import { DHCPCD_PRIVATE_DIRS } from '../peers/wan-dhcp-server.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-d6-${tag}`, `10.245.${tag % 250}`, `uspd6${tag}`, 'ctl0');
const lan = `usp-d6l-${tag}`;
const LAN_PREFIX = 'fd00:60:6::';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-dhcpv6-data-'));
const work = mkdtempSync(join(tmpdir(), 'usp-dhcpv6-client-'));
let a: NamespacedAgent | undefined;
let lanNs: PeerNamespace | undefined;

beforeAll(async () => {
  lanNs = PeerNamespace.beside(router, lan, { inside: 'lan0', outside: 'lanp' });
  router.ip('addr', 'add', `${LAN_PREFIX}1/64`, 'dev', 'lan0', 'nodad');
  // A second link with only its link-local address: no prefix to number from.
  router.ip('link', 'add', 'nov6a', 'type', 'veth', 'peer', 'name', 'nov6b');
  router.ip('link', 'set', 'nov6a', 'up');
  router.ip('link', 'set', 'nov6b', 'up');
  // dhcpcd solicits at once (no RA needed), asks for the DNS servers, and its hook writes what it got.
  writeFileSync(join(work, 'hook.sh'), `#!/bin/sh\nenv > ${join(work, 'env')}.$reason\n`, { mode: 0o755 });
  writeFileSync(join(work, 'dhcpcd.conf'), `noipv6rs\nduid\nia_na 1\noption dhcp6_name_servers\nscript ${join(work, 'hook.sh')}\n`);
  a = await startAgentInNamespace(router, 'ctl0', { dataDir, args: ['--dnsmasq', 'on'] });
}, 40_000);

afterAll(async () => {
  await a?.close();
  router.remove();
  lanNs?.remove();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** One DHCPv6 exchange from the LAN namespace (dhcpcd -6, one shot): the address leased, or FAIL. */
function dhcpv6(): Promise<string> {
  // Its lease and pid files go to tmpfs mounts of the mount namespace `ip netns exec` makes, not the host's.
  const script = `${DHCPCD_PRIVATE_DIRS} && exec dhcpcd -6 -f ${join(work, 'dhcpcd.conf')} -B -1 -t 10 -d lanp`;
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', lan, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => resolve(/adding address (\S+)\/128/.exec(out)?.[1] ?? `FAIL ${out.trim().split('\n').slice(-3).join(' | ')}`));
  });
}

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

const confLines = (): string[] =>
  readFileSync(join(dataDir, 'dnsmasq.conf'), 'utf8')
    .split('\n')
    .filter((l) => /v6pool|option6/.test(l));

describe("Linux DHCPv6 server through the agent's dnsmasq, in network namespaces", () => {
  it('a Pool the controller Adds leases dhcpcd an address of the LAN /64 with the Option it set; the Client row shows it', async () => {
    const c = a!.controller;
    const lan0 = await ipInterface('lan0');
    await set(c, 'Device.DHCPv6.Server.', { Enable: 'true' });
    const pool = await add(c, 'Device.DHCPv6.Server.Pool.', { Enable: 'true', Interface: lan0 });
    await add(c, `${pool}Option.`, { Enable: 'true', Tag: '23', Value: '20010DB8000000000000000000000053' });
    expect((await getObjects(c, [pool]))[pool]).toMatchObject({ Status: 'Enabled', IANAEnable: 'true', IAPDEnable: 'false', Order: '1' });
    const leased = await dhcpv6();
    expect(leased.startsWith(LAN_PREFIX), leased).toBe(true);
    expect(readFileSync(join(work, 'env.BOUND6'), 'utf8')).toMatch(/new_dhcp6_name_servers=2001:db8::53/);
    await expect.poll(async () => Object.values(await getObjects(c, [`${pool}Client.*.IPv6Address.*.IPAddress`])).map((r) => r.IPAddress), { timeout: 15_000 }).toContain(leased);
    const client = Object.entries(await getObjects(c, [`${pool}Client.*.`])).find(([p]) => /Client\.\d+\.$/.test(p))![0];
    expect((await getObjects(c, [client]))[client]).toMatchObject({ Active: 'true', IPv6AddressNumberOfEntries: '1', OptionNumberOfEntries: '1' });
    expect(await get(c, `${client}Option.1.Tag`)).toBe('1');
    expect(await get(c, `${client}Option.1.Value`)).toMatch(/^000[1-4][0-9a-f]+$/);
    // SourceAddress: the link-local address dhcpcd sent from (the kernel's neighbour entry of it on lan0).
    const linkLocal = /inet6 (fe80::[0-9a-f:]+)\/64/.exec(lanNs!.ip('-6', 'addr', 'show', 'dev', 'lanp', 'scope', 'link'))![1];
    expect(await get(c, `${client}SourceAddress`)).toBe(linkLocal);

    // No addresses: the range becomes stateless (the options only).
    await set(c, pool, { IANAEnable: 'false' });
    expect(confLines()).toContain(`dhcp-range=set:v6pool1,::,constructor:lan0,static`);
    await set(c, pool, { IANAEnable: 'true' });
    expect(confLines()).toEqual(['dhcp-range=set:v6pool1,::1000,::ffff,constructor:lan0,64,3600', 'dhcp-option=tag:v6pool1,option6:23,[2001:db8:0:0:0:0:0:53]']);
  }, 60_000);

  it('refuses what dnsmasq cannot serve, with nothing kept', async () => {
    const c = a!.controller;
    const pool = 'Device.DHCPv6.Server.Pool.1.';
    const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }) => (r.ok ? 0 : (r.paramErrCode ?? r.errCode));
    const before = confLines();
    expect(code(await tryAdd(c, 'Device.DHCPv6.Server.Pool.', { Enable: 'true', Interface: await ipInterface('nov6a') }))).toBe(7012);
    expect(code(await tryAdd(c, 'Device.DHCPv6.Server.Pool.', { Enable: 'true', Interface: 'Device.Ethernet.Interface.1' }))).toBe(7012);
    expect(code(await tryAdd(c, 'Device.DHCPv6.Server.Pool.', { Order: '1' }))).toBe(7025);
    expect(code(await trySet(c, pool, { IAPDEnable: 'true' }))).toBe(7013);
    expect(code(await tryAdd(c, `${pool}Option.`, { Tag: '31', Value: '2001' }))).toBe(7012);
    expect(code(await tryAdd(c, `${pool}Option.`, { Tag: '3', Value: '00' }))).toBe(7012);
    expect(code(await tryAdd(c, `${pool}Option.`, { Tag: '23', Value: '20010DB8000000000000000000000054' }))).toBe(7025);
    expect(code(await tryAdd(c, `${pool}Option.`, { Tag: '15', Value: 'not hex' }))).toBe(7011);
    expect(await get(c, 'Device.DHCPv6.Server.PoolNumberOfEntries')).toBe('1');
    expect(await get(c, `${pool}OptionNumberOfEntries`)).toBe('1');
    expect(confLines()).toEqual(before);
  }, 30_000);

  it('writes the same lines again from the stored rows after a restart', async () => {
    const before = confLines();
    const port = a!.port;
    await a!.close();
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port, args: ['--dnsmasq', 'on'] });
    expect(await get(a.controller, 'Device.DHCPv6.Server.Pool.1.Status')).toBe('Enabled');
    expect(confLines()).toEqual(before);
    expect((await dhcpv6()).startsWith(LAN_PREFIX)).toBe(true);
  }, 60_000);
});
