/**
 * Device.NAT. on generic Linux, for real: the built agent process (`npm run build` first) runs
 * with `--platform linux` in a router namespace joined by veth pairs to a WAN namespace
 * (203.0.113.0/24) and a LAN namespace (192.168.50.0/24, default route through the router), and
 * a controller Adds, Sets and Deletes NAT rows over a real WebSocket. What the kernel makes of
 * them is checked with real connections: a TCP/UDP connection to the router's external port
 * reaches a listener on the LAN client (which sees the WAN host's address), a range maps port by
 * port, masquerading makes a LAN host's connection leave with the router's WAN address (without
 * it the WAN host cannot answer), Delete removes the rule, a restart writes the stored rows back
 * after the table was flushed, invalid values are refused with nothing applied, a lease runs out
 * and deletes its row. Then `--nat off` and an agent without nft: not served, one info line; and
 * an nft (a stand-in on PATH) that refuses the table: the Add answers 7003 and keeps nothing.
 * Needs root, nft and python3; the namespaces are removed afterwards.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace, pathWithFailingNft } from '../peers/netns.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-nat-${tag}`, `10.242.${tag % 250}`, `uspnat${tag}`, 'ctl0');
const wan = `usp-natw-${tag}`;
const lan = `usp-natl-${tag}`;
const ROUTER_WAN = '203.0.113.1';
const WAN_HOST = '203.0.113.2';
const ROUTER_LAN = '192.168.50.1';
const LAN_HOST = '192.168.50.10';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-nat-data-'));
let a: NamespacedAgent | undefined;
const peers: PeerNamespace[] = [];
const listeners: ChildProcess[] = [];

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  peers.push(
    PeerNamespace.beside(router, wan, { inside: 'wan0', outside: 'wanp', routerAddress: `${ROUTER_WAN}/24`, address: `${WAN_HOST}/24` }),
    PeerNamespace.beside(router, lan, { inside: 'lan0', outside: 'lanp', routerAddress: `${ROUTER_LAN}/24`, address: `${LAN_HOST}/24` }),
  );
  // The LAN host's way out is the router; the WAN host has no route to the LAN (only masquerading answers it).
  sh('ip', '-n', lan, 'route', 'add', 'default', 'via', ROUTER_LAN);
  sh('ip', 'netns', 'exec', router.name, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  listeners.push(await listen(lan, 'tcp', 8080), await listen(lan, 'udp', 5353), await listen(lan, 'tcp', 5001), await listen(wan, 'tcp', 7000));
  a = await startAgentInNamespace(router, 'ctl0', { dataDir });
}, 40_000);

afterAll(async () => {
  await a?.close();
  for (const l of listeners) l.kill();
  router.remove();
  for (const p of peers) p.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const SERVER = [
  'import socket, sys',
  'proto, port = sys.argv[1], int(sys.argv[2])',
  "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)",
  's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
  "s.bind(('0.0.0.0', port))",
  "if proto == 'tcp': s.listen(16)",
  "print('ready', flush=True)",
  'while True:',
  "    if proto == 'tcp':",
  '        c, peer = s.accept()',
  "        c.sendall(f'{peer[0]} {port}'.encode())",
  '        c.close()',
  '    else:',
  '        d, peer = s.recvfrom(64)',
  "        s.sendto(f'{peer[0]} {port}'.encode(), peer)",
].join('\n');

const CLIENT = [
  'import socket, sys',
  'proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])',
  "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)",
  's.settimeout(1.5)',
  'try:',
  "    if proto == 'tcp': s.connect((host, port))",
  "    else: s.sendto(b'x', (host, port))",
  '    print(s.recv(64).decode())',
  'except Exception as e:',
  "    print('FAIL', type(e).__name__)",
].join('\n');

/** A listener in `ns` answering each connection (datagram) with "<peer address> <its port>". */
async function listen(ns: string, proto: 'tcp' | 'udp', port: number): Promise<ChildProcess> {
  const p = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', SERVER, proto, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    p.stdout!.once('data', () => resolve());
    p.once('exit', (code) => reject(new Error(`listener ${proto}/${port} in ${ns} exited ${code}`)));
  });
  return p;
}

/** What a connection from `ns` to host:port is answered ("<address the listener saw> <its port>"), or "FAIL ...". */
function connect(ns: string, proto: 'tcp' | 'udp', host: string, port: number): string {
  return sh('ip', 'netns', 'exec', ns, 'python3', '-c', CLIENT, proto, host, String(port)).trim();
}

/** The kernel's rules in the router namespace. */
function natTable(): string {
  const r = spawnSync('ip', ['netns', 'exec', router.name, 'nft', 'list', 'table', 'ip', 'usp_agent_nat'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

describe('Linux NAT in the kernel (nftables), in network namespaces', () => {
  it('serves NAT:1 with nothing written to netfilter until a row exists', async () => {
    expect(await get(a!.controller, 'Device.NAT.MaxNumberOfPortMappings')).toBe('64');
    expect(await get(a!.controller, 'Device.NAT.PortMappingNumberOfEntries')).toBe('0');
    expect(natTable()).toBe('');
  });

  it('a TCP and a UDP PortMapping take WAN connections to the LAN client, which sees the WAN host; Delete removes them', async () => {
    const c = a!.controller;
    const wan0 = await ipInterface('wan0');
    expect(connect(wan, 'tcp', ROUTER_WAN, 9000)).toMatch(/^FAIL/);
    const tcp = await add(c, 'Device.NAT.PortMapping.', { Enable: 'true', Interface: wan0, ExternalPort: '9000', InternalPort: '8080', Protocol: 'TCP', InternalClient: LAN_HOST, Description: 'web' });
    const udp = await add(c, 'Device.NAT.PortMapping.', { Enable: 'true', Interface: `${wan0}.`, ExternalPort: '53', InternalPort: '5353', Protocol: 'UDP', InternalClient: LAN_HOST });
    expect(connect(wan, 'tcp', ROUTER_WAN, 9000)).toBe(`${WAN_HOST} 8080`);
    expect(connect(wan, 'udp', ROUTER_WAN, 53)).toBe(`${WAN_HOST} 5353`);
    const row = (await getObjects(c, [tcp]))[tcp]!;
    expect(row).toMatchObject({ Enable: 'true', Status: 'Enabled', Interface: wan0, Protocol: 'TCP', LeaseDuration: '0', RemainingLeaseTime: '0', Alias: `cpe-${tcp.split('.').at(-2)}` });
    expect((await getObjects(c, [udp]))[udp]!.Interface).toBe(wan0);
    expect(natTable()).toContain(`comment "${tcp.slice(0, -1)}"`);

    // Only on the interface named: the LAN side's port 9000 is not mapped.
    expect(connect(lan, 'tcp', ROUTER_LAN, 9000)).toMatch(/^FAIL/);
    await set(c, tcp, { Enable: 'false' });
    expect((await getObjects(c, [`${tcp}Status`]))[tcp]!.Status).toBe('Disabled');
    expect(connect(wan, 'tcp', ROUTER_WAN, 9000)).toMatch(/^FAIL/);
    await del(c, tcp, udp);
    expect(connect(wan, 'udp', ROUTER_WAN, 53)).toMatch(/^FAIL/);
    expect(await get(c, 'Device.NAT.PortMappingNumberOfEntries')).toBe('0');
    // No row left: the agent's table is gone.
    expect(natTable()).toBe('');
  });

  it('a range maps port by port from InternalPort (TR-181: 5000-5002 → 5001 for the second port)', async () => {
    const c = a!.controller;
    const pm = await add(c, 'Device.NAT.PortMapping.', {
      Enable: 'true',
      AllInterfaces: 'true',
      ExternalPort: '6000',
      ExternalPortEndRange: '6002',
      InternalPort: '5000',
      Protocol: 'TCP',
      InternalClient: LAN_HOST,
    });
    expect(connect(wan, 'tcp', ROUTER_WAN, 6001)).toBe(`${WAN_HOST} 5001`);
    await del(c, pm);
  });

  it('an InterfaceSetting masquerades LAN connections out of the WAN with the router address; Delete stops it', async () => {
    const c = a!.controller;
    // Without NAT the WAN host has no way back to 192.168.50.10.
    expect(connect(lan, 'tcp', WAN_HOST, 7000)).toMatch(/^FAIL/);
    const setting = await add(c, 'Device.NAT.InterfaceSetting.', { Enable: 'true', Interface: await ipInterface('wan0') });
    expect((await getObjects(c, [`${setting}Status`]))[setting]!.Status).toBe('Enabled');
    expect(connect(lan, 'tcp', WAN_HOST, 7000)).toBe(`${ROUTER_WAN} 7000`);
    // Interface is a unique key: a second row on the same interface is refused.
    expect(await tryAdd(c, 'Device.NAT.InterfaceSetting.', { Interface: await ipInterface('wan0') })).toMatchObject({ ok: false });
    await del(c, setting);
    expect(connect(lan, 'tcp', WAN_HOST, 7000)).toMatch(/^FAIL/);
  });

  it('refuses invalid values with the TR-369 code, and applies nothing of a refused request', async () => {
    const c = a!.controller;
    const wan0 = await ipInterface('wan0');
    const before = natTable();
    for (const [params, code] of [
      [{ Protocol: 'ICMP' }, 7012],
      [{ ExternalPort: '70000' }, 7012],
      [{ ExternalPort: '9000', ExternalPortEndRange: '8000' }, 7012],
      [{ InternalClient: 'not an address!' }, 7012],
      [{ RemoteHost: '2001:db8::1' }, 7012],
      [{ Interface: 'Device.IP.Interface.999' }, 7012],
    ] as Array<[Record<string, string>, number]>) {
      const r = await tryAdd(c, 'Device.NAT.PortMapping.', { Enable: 'true', Interface: wan0, Protocol: 'TCP', InternalClient: LAN_HOST, ...params });
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(code);
    }
    expect(await get(c, 'Device.NAT.PortMappingNumberOfEntries')).toBe('0');
    expect(natTable()).toBe(before);

    const pm = await add(c, 'Device.NAT.PortMapping.', { Enable: 'true', Interface: wan0, ExternalPort: '9100', ExternalPortEndRange: '9110', Protocol: 'TCP', InternalClient: LAN_HOST });
    // Overlapping ports of the same protocol and remote host: 7012; the very same key: 7025.
    expect(await tryAdd(c, 'Device.NAT.PortMapping.', { Enable: 'true', Interface: wan0, ExternalPort: '9105', Protocol: 'TCP', InternalClient: LAN_HOST })).toMatchObject({
      ok: false,
      paramErrCode: 7012,
    });
    expect(await tryAdd(c, 'Device.NAT.PortMapping.', { Interface: wan0, ExternalPort: '9100', Protocol: 'TCP', InternalClient: LAN_HOST })).toMatchObject({ ok: false, errCode: 7025 });
    // A Set that fails leaves the row and the rule as they were.
    const rules = natTable();
    expect(await trySet(c, pm, { InternalClient: 'host.example', ExternalPort: '9200' })).toMatchObject({ ok: false });
    expect((await getObjects(c, [`${pm}InternalClient`, `${pm}ExternalPort`]))[pm]).toEqual({ InternalClient: LAN_HOST, ExternalPort: '9100' });
    expect(natTable()).toBe(rules);
    // An unknown instance: 7016 on Set (path resolution finds no such object).
    expect((await trySet(c, 'Device.NAT.PortMapping.999.', { Enable: 'false' })).ok).toBe(false);
    await del(c, pm);
  });

  it('a lease counts down and the mapping goes when it runs out', async () => {
    const c = a!.controller;
    const pm = await add(c, 'Device.NAT.PortMapping.', {
      Enable: 'true',
      AllInterfaces: 'true',
      ExternalPort: '9300',
      InternalPort: '8080',
      Protocol: 'TCP',
      InternalClient: LAN_HOST,
      LeaseDuration: '2',
    });
    const left = Number((await getObjects(c, [`${pm}RemainingLeaseTime`]))[pm]!.RemainingLeaseTime);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(2);
    expect(connect(wan, 'tcp', ROUTER_WAN, 9300)).toBe(`${WAN_HOST} 8080`);
    await vi.waitFor(async () => expect(await get(c, 'Device.NAT.PortMappingNumberOfEntries')).toBe('0'), { timeout: 8000, interval: 250 });
    expect(connect(wan, 'tcp', ROUTER_WAN, 9300)).toMatch(/^FAIL/);
  });

  it('ScheduleRef: the mapping holds only inside the referenced schedules (meta day/hour), Status Inactive outside them', async () => {
    const c = a!.controller;
    const wan0 = await ipInterface('wan0');
    const weekday = (offset: number): string => ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][(new Date().getDay() + offset) % 7]!;
    // Three days ahead, an hour: closed now.
    const closed = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: weekday(3), StartTime: '10:00', Duration: '3600' });
    const bad = await tryAdd(c, 'Device.NAT.PortMapping.', {
      Enable: 'true',
      Interface: wan0,
      ExternalPort: '9100',
      InternalPort: '8080',
      Protocol: 'TCP',
      InternalClient: LAN_HOST,
      ScheduleRef: 'Device.Schedules.Schedule.77',
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.paramErrCode ?? bad.errCode).toBe(7012);
    const pm = await add(c, 'Device.NAT.PortMapping.', { Enable: 'true', Interface: wan0, ExternalPort: '9100', InternalPort: '8080', Protocol: 'TCP', InternalClient: LAN_HOST, ScheduleRef: closed });
    expect(natTable()).toMatch(/meta day "\w+" meta hour "10:00(:00)?"-"10:59:59" iifname "wan0" tcp dport 9100/);
    expect(connect(wan, 'tcp', ROUTER_WAN, 9100)).toMatch(/^FAIL/);
    expect(await get(c, `${pm}Status`)).toBe('Inactive');
    // Open today and tomorrow all day: the union holds now.
    const open = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: `${weekday(0)},${weekday(1)}`, StartTime: '00:00', Duration: '86400' });
    await set(c, pm, { ScheduleRef: `${closed.slice(0, -1)},${open.slice(0, -1)}` });
    expect(connect(wan, 'tcp', ROUTER_WAN, 9100)).toBe(`${WAN_HOST} 8080`);
    expect(await get(c, `${pm}Status`)).toBe('Enabled');
    // Deleting the open schedule takes it out of the list: closed again.
    await del(c, open);
    expect(await get(c, `${pm}ScheduleRef`)).toBe(closed.slice(0, -1));
    expect(connect(wan, 'tcp', ROUTER_WAN, 9100)).toMatch(/^FAIL/);
    // No schedule in force (the last one disabled): the mapping holds all the time.
    await set(c, closed, { Enable: 'false' });
    expect(connect(wan, 'tcp', ROUTER_WAN, 9100)).toBe(`${WAN_HOST} 8080`);
    expect(await get(c, `${pm}Status`)).toBe('Enabled');
    await del(c, pm);
    await del(c, closed);
  });

  it('keeps its table when the agent stops and writes the stored rows again at start', async () => {
    const c = a!.controller;
    const wan0 = await ipInterface('wan0');
    const pm = await add(c, 'Device.NAT.PortMapping.', { Enable: 'true', Interface: wan0, ExternalPort: '9000', InternalPort: '8080', Protocol: 'TCP', InternalClient: LAN_HOST });
    await add(c, 'Device.NAT.InterfaceSetting.', { Enable: 'true', Interface: wan0 });
    const port = a!.port;
    await a!.close();
    a = undefined;
    // NAT outlives the agent: the router keeps forwarding while it restarts.
    expect(connect(wan, 'tcp', ROUTER_WAN, 9000)).toBe(`${WAN_HOST} 8080`);
    // A reboot empties netfilter: the next start must write the rows again.
    sh('ip', 'netns', 'exec', router.name, 'nft', 'delete', 'table', 'ip', 'usp_agent_nat');
    expect(connect(wan, 'tcp', ROUTER_WAN, 9000)).toMatch(/^FAIL/);
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port });
    expect(a.agent.lines.some((l) => /NAT rules written from the stored rows/.test(l.text))).toBe(true);
    expect(connect(wan, 'tcp', ROUTER_WAN, 9000)).toBe(`${WAN_HOST} 8080`);
    expect(connect(lan, 'tcp', WAN_HOST, 7000)).toBe(`${ROUTER_WAN} 7000`);
    expect((await getObjects(a.controller, [`${pm}Interface`, `${pm}Status`]))[pm]).toEqual({ Interface: wan0, Status: 'Enabled' });
  }, 30_000);
});

describe('without a working NAT table', () => {
  it('--nat off: the agent starts, says so, serves no Device.NAT. and leaves netfilter alone', async () => {
    const off = NetNamespace.create(`usp-nato-${tag}`, `10.243.${tag % 250}`, `uspnato${tag}`, 'ctl0');
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(off, 'ctl0', { args: ['--nat', 'off'] });
      expect((await tryAdd(b.controller, 'Device.NAT.PortMapping.', { Protocol: 'TCP' })).ok).toBe(false);
      const line = b.agent.lines.find((l) => /Device\.NAT\. not served/.test(l.text));
      expect(line?.text).toMatch(/level=info/);
      expect(line?.text).toMatch(/switched off/);
      expect(line?.text).toMatch(/--nat/);
      expect(sh('ip', 'netns', 'exec', off.name, 'nft', 'list', 'tables')).not.toContain('usp_agent_nat');
    } finally {
      await b?.close();
      off.remove();
    }
  }, 30_000);

  it('nft refusing the table: the Add answers 7003 naming nft, and no row is kept', async () => {
    const failing = NetNamespace.create(`usp-natf-${tag}`, `10.246.${tag % 250}`, `uspnatf${tag}`, 'ctl0');
    const bin = pathWithFailingNft();
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(failing, 'ctl0', { env: { PATH: bin }, args: ['--packet-counters', 'off'] });
      const r = await tryAdd(b.controller, 'Device.NAT.PortMapping.', { Enable: 'true', AllInterfaces: 'true', ExternalPort: '9000', Protocol: 'TCP', InternalClient: LAN_HOST });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.paramErrCode ?? r.errCode).toBe(7003);
        expect(r.errMsg).toMatch(/nft did not take the NAT rules.*Could not process rule/);
      }
      expect(await get(b.controller, 'Device.NAT.PortMappingNumberOfEntries')).toBe('0');
    } finally {
      await b?.close();
      failing.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  }, 30_000);

  it('no nft on PATH: the agent starts with an info line naming the setting, without Device.NAT.', async () => {
    const none = NetNamespace.create(`usp-natn-${tag}`, `10.244.${tag % 250}`, `uspnatn${tag}`, 'ctl0');
    const bin = mkdtempSync(join(tmpdir(), 'usp-no-nft-'));
    for (const tool of ['ip', 'ethtool']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(none, 'ctl0', { env: { PATH: bin } });
      expect((await tryAdd(b.controller, 'Device.NAT.InterfaceSetting.', {})).ok).toBe(false);
      const line = b.agent.lines.find((l) => /Device\.NAT\. not served/.test(l.text));
      expect(line?.text).toMatch(/nft \(nftables\) is not installed/);
      expect(line?.text).toMatch(/--nat/);
    } finally {
      await b?.close();
      none.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  }, 30_000);
});
