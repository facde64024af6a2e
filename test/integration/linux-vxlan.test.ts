/**
 * Device.VXLAN on the Linux platform behind the built agent process (`npm run build` first), in
 * a network namespace of its own, driven by a Controller over a real WebSocket. A second
 * namespace is the remote VXLAN endpoint: a veth pair under0/under1 joins the two, and the test
 * makes the peer's VXLAN device there with `ip link`. The agent makes its own from the rows;
 * real `ping` crosses the tunnel, the kernel's counters grow, bad input changes nothing, a
 * restart makes the device again from the store and a Delete removes it. Needs root and the
 * kernel's vxlan module; both namespaces are removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-vxa-${tag}`, `10.238.${tag % 250}`, `uspvx${tag}`, 'ctl0');
const peer = `usp-vxb-${tag}`;
const work = mkdtempSync(join(tmpdir(), 'usp-vxlan-'));
const dataDir = join(work, 'data');
const DEV = 'vxlan-usp1-1';
const manage = `under0,${DEV}`;
const VNI = '4242';
let a: NamespacedAgent | undefined;

const inPeer = (...args: string[]): string => execFileSync('ip', ['-n', peer, ...args], { encoding: 'utf8' });
/** The agent-side VXLAN device as the kernel holds it, or undefined. */
const agentDevice = (): { id?: number; remote?: string; local?: string; link?: string; tos?: string; port?: number } | undefined => {
  const links = JSON.parse(ns.ip('-j', '-d', 'link', 'show', 'type', 'vxlan')) as Array<{ ifname: string; linkinfo: { info_data: Record<string, unknown> } }>;
  return links.find((l) => l.ifname === DEV)?.linkinfo.info_data;
};
const vxlanDevices = (): string[] => (JSON.parse(ns.ip('-j', 'link', 'show', 'type', 'vxlan')) as Array<{ ifname: string }>).map((l) => l.ifname);
const ipInterfaceOf = async (name: string): Promise<string> => {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const row = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!row) throw new Error(`no IP.Interface of ${name}`);
  return row;
};
const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number => (r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1));
const pingPeer = (): boolean => {
  try {
    execFileSync('ip', ['netns', 'exec', peer, 'ping', '-c', '3', '-i', '0.3', '-W', '3', '10.202.0.1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  execFileSync('ip', ['netns', 'add', peer]);
  ns.ip('link', 'add', 'under0', 'type', 'veth', 'peer', 'name', 'under1', 'netns', peer);
  ns.ip('addr', 'add', '10.201.0.1/24', 'dev', 'under0');
  ns.ip('link', 'set', 'under0', 'up');
  inPeer('addr', 'add', '10.201.0.2/24', 'dev', 'under1');
  inPeer('link', 'set', 'under1', 'up');
  // The remote endpoint: a VXLAN device made by hand, as a peer router would have it.
  inPeer('link', 'add', 'vxpeer', 'type', 'vxlan', 'id', VNI, 'remote', '10.201.0.1', 'local', '10.201.0.2', 'dstport', '4789', 'dev', 'under1');
  inPeer('addr', 'add', '10.202.0.2/24', 'dev', 'vxpeer');
  inPeer('link', 'set', 'vxpeer', 'up');
  a = await startAgentInNamespace(ns, manage, { dataDir });
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
  execFileSync('ip', ['netns', 'del', peer]);
  rmSync(work, { recursive: true, force: true });
});

describe('Linux VXLAN by a Controller (agent process, kernel vxlan devices, a peer namespace)', () => {
  it('makes the VXLAN device toward the peer, carries ping, counts it, and stacks an IP interface on it', async () => {
    const c = a!.controller;
    const under0 = await ipInterfaceOf('under0');
    const tunnel = await add(c, 'Device.VXLAN.Tunnel.', { Enable: 'true', RemoteEndpoints: '10.201.0.2', DefaultDSCPMark: '10' });
    const iface = await add(c, `${tunnel}Interface.`, { Enable: 'true', VNI, LowerLayers: under0 });
    // The first row of a fresh table: its device is vxlan-usp<T>-<I> of those numbers.
    expect(iface).toMatch(/^Device\.VXLAN\.Tunnel\.\d+\.Interface\.1\.$/);
    const t = /Tunnel\.(\d+)\./.exec(tunnel)![1];
    const dev = `vxlan-usp${t}-1`;
    expect(dev).toBe(DEV);
    expect(agentDevice()).toMatchObject({ id: Number(VNI), remote: '10.201.0.2', local: '10.201.0.1', link: 'under0', port: 4789, tos: '0x28' });

    const vx = await ipInterfaceOf(DEV);
    expect((await getObjects(c, [vx]))[vx]).toMatchObject({ LowerLayers: iface.slice(0, -1) });
    await add(c, `${vx}IPv4Address.`, { Enable: 'true', IPAddress: '10.202.0.1', SubnetMask: '255.255.255.0' });
    expect(pingPeer()).toBe(true);

    const rows = await getObjects(c, [tunnel, iface, `${iface}Stats.`, `${tunnel}Stats.`]);
    expect(rows[tunnel]).toMatchObject({ Status: 'Enabled', ConnectedRemoteEndpoint: '10.201.0.2', InterfaceNumberOfEntries: '1', KeepAlivePolicy: 'None' });
    expect(rows[iface]).toMatchObject({ Name: DEV, Status: 'Up', VNI, LowerLayers: under0.slice(0, -1) });
    expect(Number(rows[`${iface}Stats.`]!.PacketsReceived)).toBeGreaterThanOrEqual(3);
    expect(Number(rows[`${iface}Stats.`]!.PacketsSent)).toBeGreaterThanOrEqual(3);
    expect(rows[`${iface}Stats.`]).toMatchObject({ DiscardChecksumReceived: '0', DiscardSequenceNumberReceived: '0' });
    expect(Number(rows[`${tunnel}Stats.`]!.BytesReceived)).toBe(Number(rows[`${iface}Stats.`]!.BytesReceived));

    // A second Interface with the same VNI in the Tunnel is refused; nothing else is made.
    expect(code(await tryAdd(c, `${tunnel}Interface.`, { Enable: 'true', VNI }))).toBe(7012);
    expect(vxlanDevices()).toEqual([DEV]);

    // A restart on a host whose device is gone (as after a reboot): made again from the store.
    const port = a!.port;
    await a!.close();
    ns.ip('link', 'del', DEV);
    a = await startAgentInNamespace(ns, manage, { dataDir, port });
    await expect.poll(agentDevice, { timeout: 15_000 }).toMatchObject({ id: Number(VNI), remote: '10.201.0.2', local: '10.201.0.1', tos: '0x28' });
    ns.ip('addr', 'add', '10.202.0.1/24', 'dev', DEV);
    // The new device has a new MAC: the peer forgets the old one rather than wait for it to age out.
    inPeer('neigh', 'flush', 'dev', 'vxpeer');
    await expect.poll(pingPeer, { timeout: 20_000 }).toBe(true);

    // ICMP keepalive: the first endpoint answers no echo, so after KeepAliveThreshold misses the
    // next one is tried and the device is made again toward it.
    await set(a.controller, tunnel, { RemoteEndpoints: '10.201.0.9,10.201.0.2', KeepAlivePolicy: 'ICMP', KeepAliveTimeout: '1', KeepAliveThreshold: '2' });
    expect(agentDevice()).toMatchObject({ remote: '10.201.0.9' });
    await expect.poll(() => agentDevice()?.remote, { timeout: 20_000 }).toBe('10.201.0.2');
    const stats = async (): Promise<Record<string, string>> => (await getObjects(a!.controller, [`${tunnel}Stats.`]))[`${tunnel}Stats.`]!;
    await expect.poll(async () => Number((await stats()).KeepAliveReceived), { timeout: 20_000 }).toBeGreaterThan(0);
    const k = await stats();
    expect(Number(k.KeepAliveSent)).toBeGreaterThan(Number(k.KeepAliveReceived));
    expect((await getObjects(a.controller, [tunnel]))[tunnel]).toMatchObject({ Status: 'Enabled', ConnectedRemoteEndpoint: '10.201.0.2', KeepAlivePolicy: 'ICMP' });
    ns.ip('addr', 'add', '10.202.0.1/24', 'dev', DEV);
    inPeer('neigh', 'flush', 'dev', 'vxpeer');
    await expect.poll(pingPeer, { timeout: 20_000 }).toBe(true);

    // Disabling the Tunnel takes its device away; Delete of the Interface keeps it away.
    await trySet(a.controller, tunnel, { Enable: 'false' });
    expect(vxlanDevices()).toEqual([]);
    expect((await getObjects(a.controller, [iface]))[iface]).toMatchObject({ Status: 'LowerLayerDown' });
    await trySet(a.controller, tunnel, { Enable: 'true' });
    expect(vxlanDevices()).toEqual([DEV]);
    await del(a.controller, iface);
    expect(vxlanDevices()).toEqual([]);
    await del(a.controller, tunnel);
  }, 60_000);

  it('refuses bad input without making anything', async () => {
    const c = a!.controller;
    const under0 = await ipInterfaceOf('under0');
    const badTunnels: Array<Record<string, string>> = [{ RemoteEndpoints: 'not-an-ip' }, { RemoteEndpoints: '2001:db8::1' }, { DefaultDSCPMark: '64' }];
    for (const params of badTunnels) {
      expect(code(await tryAdd(c, 'Device.VXLAN.Tunnel.', params)), JSON.stringify(params)).toBe(7012);
    }
    const tunnel = await add(c, 'Device.VXLAN.Tunnel.', { Enable: 'true', RemoteEndpoints: '10.201.0.2' });
    const badInterfaces: Array<Record<string, string>> = [
      { VNI: '0' },
      { VNI: '16777216' },
      { VNI: '-2' },
      { VNI: '7', LowerLayers: 'Device.IP.Interface.999' },
      { VNI: '7', LowerLayers: 'Device.Ethernet.Link.1' },
    ];
    for (const params of badInterfaces) {
      const r = await tryAdd(c, `${tunnel}Interface.`, { Enable: 'true', ...params, ...(params.LowerLayers ? {} : { LowerLayers: under0 }) });
      expect(code(r), JSON.stringify(params)).toBe(7012);
    }
    // An echo every 0 s would be a flood; no threshold, no failure.
    expect(code(await trySet(c, tunnel, { KeepAlivePolicy: 'ICMP', KeepAliveTimeout: '0' }))).toBe(7012);
    expect(code(await trySet(c, tunnel, { KeepAliveThreshold: '0' }))).toBe(7012);
    expect(vxlanDevices()).toEqual([]);
    await del(c, tunnel);
    // The table's bound: 8 Tunnels, the 9th refused with 7005.
    const made: string[] = [];
    for (let i = 0; i < 8; i++) made.push(await add(c, 'Device.VXLAN.Tunnel.', {}));
    expect(code(await tryAdd(c, 'Device.VXLAN.Tunnel.', {}))).toBe(7005);
    await del(c, ...made);
    expect(vxlanDevices()).toEqual([]);
  });
});
