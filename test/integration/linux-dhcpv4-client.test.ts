/**
 * Device.DHCPv4.Client.{i}. on generic Linux, for real: the built agent process (`npm run build`
 * first) runs with `--platform linux --dhcp-client udhcpc` in a router namespace whose `wan0`
 * is a veth to a second namespace running a real dnsmasq DHCP server. A controller over a real
 * WebSocket Adds a Client on wan0's IP.Interface; the agent's busybox udhcpc gets a lease, which
 * the controller reads back (and the kernel holds); a SentOption (vendor class, tag 60) shows in
 * dnsmasq's log, a ReqOption reads the option dnsmasq gave; a Set of ReqOption Order reorders
 * the Parameter Request List (option 55) that tcpdump catches on the server's side; Renew()
 * renews; Delete releases the lease (dnsmasq drops it from its lease file). Bad inputs are
 * refused with nothing kept. Needs root, dnsmasq, busybox and tcpdump; the namespaces are
 * removed afterwards.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, operate, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { captureDhcp, DHCPREQUEST, dhcpPackets, exited } from '../peers/dhcp-capture.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, type PeerNamespace } from '../peers/netns.js';
import { waitFor } from '../peers/UdsTestPeer.js';
import { addUnmanagedDevice, ipInterfaceOf, startWanDhcpServer } from '../peers/wan-dhcp-server.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-dc-${tag}`, `10.245.${tag % 250}`, `uspdc${tag}`, 'ctl0');
const srv = `usp-dcs-${tag}`;
const NET = `10.246.${tag % 250}`;
const SERVER = `${NET}.1`;
const NTP = `${NET}.5`;
const DNS2 = `${NET}.2`;
const VENDOR = 'usp-test-vendor';
const dir = mkdtempSync(join(tmpdir(), 'usp-dhcpc-'));
/** Kept across the restart test's two agents. */
const agentDir = join(dir, 'agent');
const AGENT_ARGS = ['--dhcp-client', 'udhcpc', '--dnsmasq', 'off'];
const serverLog = join(dir, 'dnsmasq.log');
const serverLeases = join(dir, 'dnsmasq.leases');
let a: NamespacedAgent | undefined;
let server: ChildProcess | undefined;
let srvNs: PeerNamespace | undefined;

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

beforeAll(async () => {
  ({ ns: srvNs, server } = startWanDhcpServer(router, srv, {
    address: `${SERVER}/24`,
    leaseFile: serverLeases,
    args: [
      '--log-dhcp',
      `--log-facility=${serverLog}`,
      `--dhcp-range=${NET}.50,${NET}.60,2m`,
      `--dhcp-option=3,${SERVER}`,
      `--dhcp-option=6,${SERVER},${DNS2}`,
      `--dhcp-option=42,${NTP}`,
      '--dhcp-option=224,01:02:03',
    ],
  }));
  // A device the agent does not manage: no Client may run there.
  addUnmanagedDevice(router);
  a = await startAgentInNamespace(router, 'ctl0,wan0', { dataDir: agentDir, args: AGENT_ARGS });
}, 40_000);

afterAll(async () => {
  await a?.close();
  server?.kill();
  router.remove();
  srvNs?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads `row` until `ok` holds (udhcpc takes a few seconds: dnsmasq pings an address before offering it), at most 30 s. */
async function readUntil(row: string, ok: (v: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = (await getObjects(a!.controller, [row]))[row] ?? {};
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Process ids of the udhcpc instances running on wan0. */
const udhcpcOnWan = (): string[] => spawnSync('pgrep', ['-f', 'udhcpc.*-i wan0'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
const wanAddresses = (): string[] => (router.link('wan0')?.addr_info ?? []).filter((x) => x.family === 'inet').map((x) => x.local);
const leasesHeld = (): string => (existsSync(serverLeases) ? readFileSync(serverLeases, 'utf8') : '');

describe('Device.DHCPv4.Client on Linux (busybox udhcpc against a real dnsmasq)', () => {
  let client = '';

  it('refuses bad rows with nothing kept', async () => {
    const c = a!.controller;
    for (const params of [{ Interface: 'Device.IP.Interface.99' }, { Interface: await ipInterfaceOf(a!.controller, 'other0') }, { Interface: await ipInterfaceOf(a!.controller, 'lo') }]) {
      const r = await tryAdd(c, 'Device.DHCPv4.Client.', { Enable: 'true', ...params });
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    }
    expect(await get(c, 'Device.DHCPv4.ClientNumberOfEntries')).toBe('0');
  });

  it('gets a lease from the DHCP server and serves it', async () => {
    const c = a!.controller;
    const wan = await ipInterfaceOf(a!.controller, 'wan0');
    client = await add(c, 'Device.DHCPv4.Client.', { Interface: wan });
    // The options first, then Enable: one udhcpc start with all of them.
    await add(c, `${client}SentOption.`, { Enable: 'true', Tag: '60', Value: hex(VENDOR) });
    await add(c, `${client}ReqOption.`, { Enable: 'true', Tag: '42' });
    await add(c, `${client}ReqOption.`, { Enable: 'true', Tag: '224' });
    await set(c, client, { Enable: 'true' });
    const v = await readUntil(client, (x) => x.DHCPStatus === 'Bound');
    expect(v).toMatchObject({ Status: 'Enabled', DHCPStatus: 'Bound', Interface: wan, SubnetMask: '255.255.255.0', IPRouters: SERVER, DNSServers: `${SERVER},${DNS2}`, DHCPServer: SERVER });
    expect(v.IPAddress).toMatch(new RegExp(`^${NET.replace(/\./g, '\\.')}\\.(5\\d|60)$`));
    const remaining = Number(v.LeaseTimeRemaining);
    expect(remaining).toBeGreaterThan(100);
    expect(remaining).toBeLessThanOrEqual(120);
    // The kernel holds the address, and the default route through the server.
    expect(wanAddresses()).toContain(v.IPAddress);
    expect(router.ip('route', 'show', 'default')).toContain(`via ${SERVER} dev wan0`);
    // The server saw the vendor class sent and leased the address.
    expect(readFileSync(serverLog, 'utf8')).toContain(`vendor class: ${VENDOR}`);
    expect(leasesHeld()).toContain(v.IPAddress);
    const req = await getObjects(c, [`${client}ReqOption.*.`]);
    const values = Object.values(req).map((r) => [r.Tag, r.Value]);
    expect(values).toContainEqual([
      '42',
      NTP.split('.')
        .map((n) => Number(n).toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase(),
    ]);
    expect(values).toContainEqual(['224', '010203']);
  }, 60_000);

  it('refuses bad options with nothing kept', async () => {
    const c = a!.controller;
    // Not hexBinary: 7011 (not a value of the parameter's type); the others 7012 or 7025 (a Tag the client has already).
    for (const [table, params, code] of [
      ['SentOption.', { Tag: '61', Value: 'xyz' }, 7011],
      ['SentOption.', { Tag: '300', Value: '01' }, 7012],
      ['SentOption.', { Tag: '53', Value: '01' }, 7012],
      // The request list is the agent's (ReqOption rows, in Order): a second option 55 would collide with it.
      ['SentOption.', { Tag: '55', Value: '0103' }, 7012],
      ['SentOption.', { Tag: '60', Value: '01' }, 7025],
      ['ReqOption.', { Tag: '0' }, 7012],
      ['ReqOption.', { Tag: '42' }, 7025],
    ] as const) {
      const r = await tryAdd(c, `${client}${table}`, { Enable: 'true', ...params });
      expect(r.ok, `${table} ${JSON.stringify(params)}`).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, `${table} ${JSON.stringify(params)}: ${r.errMsg}`).toBe(code);
    }
    const t = await trySet(c, `${client}SentOption.1.`, { Value: '0g' });
    expect(t.ok).toBe(false);
    // Order counts from 1 (TR-106).
    const o = await trySet(c, `${client}ReqOption.1.`, { Order: '0' });
    expect(o.ok).toBe(false);
    expect(await get(c, `${client}ReqOption.1.Order`)).toBe('1');
    expect(await get(c, `${client}SentOptionNumberOfEntries`)).toBe('1');
    expect(await get(c, `${client}ReqOptionNumberOfEntries`)).toBe('2');
    expect(await get(c, `${client}SentOption.1.Value`)).toBe(hex(VENDOR));
  });

  it('Renew() renews the lease', async () => {
    const c = a!.controller;
    const before = await readUntil(client, (x) => Number(x.LeaseTimeRemaining) <= 116);
    expect(Number(before.LeaseTimeRemaining)).toBeLessThanOrEqual(116);
    expect((await operate(c, `${client}Renew()`)).ok).toBe(true);
    const after = await readUntil(client, (x) => Number(x.LeaseTimeRemaining) >= 118);
    expect(Number(after.LeaseTimeRemaining)).toBeGreaterThanOrEqual(118);
    expect(after.IPAddress).toBe(before.IPAddress);
  }, 60_000);

  it('a Set of ReqOption Order changes the request list on the wire; a Set that leaves the list as it is restarts nothing', async () => {
    const c = a!.controller;
    const file = join(dir, 'order.pcap');
    const tcpdump = await captureDhcp(file, 'srvp', srvNs!.exec);
    try {
      // Rows: 42 (Order 1), 224 (Order 2). 224 to the front: 42 moves down (TR-106).
      await set(c, `${client}ReqOption.2.`, { Order: '1' });
      expect(await get(c, `${client}ReqOption.2.Order`)).toBe('1');
      expect(await get(c, `${client}ReqOption.1.Order`)).toBe('2');
      // udhcpc started again with the new list: its DHCPDISCOVER asks for 224 first, then 42, then its defaults and 125.
      const newList = [224, 42, 1, 3, 6, 12, 15, 28, 125];
      await waitFor(() => dhcpPackets(readFileSync(file)).some((p) => p.type === DHCPREQUEST && JSON.stringify(p.requestLists) === JSON.stringify([newList])), 30_000, 'the new list');
      for (const p of dhcpPackets(readFileSync(file))) expect(p.requestLists).toEqual([newList]);
      const v = await readUntil(client, (x) => x.DHCPStatus === 'Bound');
      expect(v).toMatchObject({ DHCPStatus: 'Bound', SubnetMask: '255.255.255.0', IPRouters: SERVER, DNSServers: `${SERVER},${DNS2}` });
    } finally {
      tcpdump.kill();
      await exited(tcpdump);
    }
    // The same Order again, and an Order past the last on the last row: the list stays, so does the udhcpc.
    const before = udhcpcOnWan();
    await set(c, `${client}ReqOption.2.`, { Order: '1' });
    await set(c, `${client}ReqOption.1.`, { Order: '9' });
    expect(await get(c, `${client}ReqOption.1.Order`)).toBe('9');
    expect(udhcpcOnWan()).toEqual(before);
  }, 60_000);

  it('starts the client again from the stored rows after a restart, with its options, on the same lease', async () => {
    const address = await get(a!.controller, `${client}IPAddress`);
    const port = a!.port;
    const before = udhcpcOnWan();
    expect(before).toHaveLength(1);
    await a!.close();
    a = undefined;
    // The agent's stop ends its udhcpc: nothing of the old run keeps the lease going.
    await expect.poll(() => udhcpcOnWan(), { timeout: 10_000 }).toEqual([]);
    a = await startAgentInNamespace(router, 'ctl0,wan0', { dataDir: agentDir, port, args: AGENT_ARGS });
    await expect.poll(() => udhcpcOnWan().length, { timeout: 15_000 }).toBe(1);
    expect(udhcpcOnWan()).not.toEqual(before);
    const v = await readUntil(client, (x) => x.DHCPStatus === 'Bound');
    expect(v).toMatchObject({ Enable: 'true', Status: 'Enabled', DHCPStatus: 'Bound', IPAddress: address, DHCPServer: SERVER });
    expect(await get(a.controller, `${client}SentOption.1.Value`)).toBe(hex(VENDOR));
    expect(await get(a.controller, `${client}ReqOptionNumberOfEntries`)).toBe('2');
    expect(wanAddresses()).toContain(address);
    expect(router.ip('route', 'show', 'default')).toContain(`via ${SERVER} dev wan0`);
  }, 90_000);

  it('IP.Interface.IPv4Enable false stops the client (lease released, Status Disabled); true starts it again', async () => {
    const c = a!.controller;
    const wan = await ipInterfaceOf(c, 'wan0');
    const address = await get(c, `${client}IPAddress`);
    await set(c, `${wan}.`, { IPv4Enable: 'false' });
    expect(udhcpcOnWan()).toEqual([]);
    expect(wanAddresses()).toEqual([]);
    await expect.poll(() => leasesHeld().includes(address), { timeout: 15_000 }).toBe(false);
    expect(await getObjects(c, [client])).toMatchObject({ [client]: { Enable: 'true', Status: 'Disabled', IPAddress: '' } });
    await set(c, `${wan}.`, { IPv4Enable: 'true' });
    const v = await readUntil(client, (x) => x.DHCPStatus === 'Bound');
    expect(v).toMatchObject({ Status: 'Enabled', DHCPStatus: 'Bound', DHCPServer: SERVER });
    expect(wanAddresses()).toContain(v.IPAddress);
  }, 60_000);

  it('Delete releases the lease', async () => {
    const c = a!.controller;
    const address = await get(c, `${client}IPAddress`);
    expect(leasesHeld()).toContain(address);
    await del(c, client);
    expect(await get(c, 'Device.DHCPv4.ClientNumberOfEntries')).toBe('0');
    await expect.poll(() => leasesHeld().includes(address), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => wanAddresses(), { timeout: 15_000 }).not.toContain(address);
    // Renew() of a client that is gone: refused.
    expect((await operate(c, `${client}Renew()`)).ok).toBe(false);
  }, 30_000);
});
