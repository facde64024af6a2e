/**
 * Device.VXLAN.Filter on the Linux platform, for real: the built agent process (`npm run build`
 * first) in a network namespace of its own, driven by a Controller over a real WebSocket, makes a
 * VXLAN tunnel toward a peer namespace (veth under0/under1) and its Filter table in nftables.
 * Frames go into the agent's VXLAN device from a raw socket (python3; this kernel has no 802.1Q
 * module, so the tagged ones are written by hand), the kernel encapsulates them, and the peer's
 * kernel counts the delivery packets it receives by their outer DSCP (nft counters in the peer
 * namespace, keyed on the test frames' source MAC). Each change of the rows changes what arrives:
 * DefaultDSCPMark with no Filter, a Tunnel's Filter, a VLAN's Filter copying the inner DSCP ahead
 * of it by Order, VLANIDExclude, the automatic mark; an IPv6 Tunnel's packets marked apart from
 * the IPv4 one's; bad input changes nothing; a restart on a host without the table and the
 * device writes both again. Needs root, nft, python3 and the vxlan module; both namespaces are
 * removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-vxf-${tag}`, `10.223.${tag % 250}`, `uspvxf${tag}`, 'ctl0');
const peer = PeerNamespace.beside(ns, `usp-vxfp-${tag}`, { inside: 'under0', outside: 'under1', routerAddress: '10.201.0.1/24', address: '10.201.0.2/24' });
const work = mkdtempSync(join(tmpdir(), 'usp-vxlan-filter-'));
const dataDir = join(work, 'data');
const DEV = 'vxlan-usp1-1';
/** The device of the second Tunnel, over IPv6. */
const DEV6 = 'vxlan-usp2-1';
const MANAGE = `under0,${DEV},${DEV6}`;
const VNI = '4242';
const TABLE = 'usp_agent_vxlan_filter';
/** The source MAC of the test's frames: the peer counts only these, not the device's own IPv6 chatter. */
const MARKER = '020000005e01';
/** The outer DSCPs the peer counts. */
const DSCPS = [0, 10, 26, 46] as const;
let a: NamespacedAgent | undefined;

/**
 * Frames into `dev` through a raw socket, in groups of three arguments: how many, tagged with
 * which VLAN ID (-1: untagged), carrying an IPv4 packet of which DSCP (-1: no IP packet).
 */
const SEND = [
  'import socket, sys',
  's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
  's.bind((sys.argv[1], 0))',
  'args = [int(x) for x in sys.argv[2:]]',
  'for count, vid, dscp in zip(args[0::3], args[1::3], args[2::3]):',
  `    frame = bytes.fromhex("020000005e02${MARKER}")`,
  '    if vid >= 0: frame += b"\\x81\\x00" + vid.to_bytes(2, "big")',
  '    if dscp >= 0: frame += b"\\x08\\x00" + bytes([0x45, dscp << 2, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 9, 0, 1, 10, 9, 0, 2]) + bytes(8)',
  '    else: frame += b"\\x88\\xb5" + bytes(46)',
  '    for _ in range(count): s.send(frame)',
].join('\n');

/** Delivery packets of the test's frames the peer has received, by outer DSCP ("ip6 46": over IPv6). */
const received = (): Record<string, number> => {
  const text = execFileSync('ip', ['netns', 'exec', peer.name, 'nft', 'list', 'table', 'inet', 'vxf_seen'], { encoding: 'utf8' });
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/chain (ip6_)?dscp_(\d+) \{\s*counter packets (\d+)/g)) out[`${m[1] ? 'ip6 ' : ''}${m[2]}`] = Number(m[3]);
  return out;
};

/** A group of frames: how many, their VLAN ID (-1: untagged), their inner DSCP (-1: not IP). */
type Frames = [count: number, vid: number, dscp: number];

/** Sends `frames`, then waits until the peer has counted exactly `outer` more (outer DSCP: packets), nothing else. */
const expectArrival = async (frames: Frames[], outer: Record<string, number>, dev = DEV): Promise<void> => {
  const before = received();
  execFileSync('ip', ['netns', 'exec', ns.name, 'python3', '-c', SEND, dev, ...frames.flat().map(String)]);
  const delta = (): Record<string, number> => {
    const now = received();
    return Object.fromEntries(
      Object.keys(now)
        .map((k) => [k, now[k]! - before[k]!])
        .filter(([, n]) => n !== 0),
    );
  };
  await expect.poll(delta, { timeout: 10_000 }).toEqual(outer);
};
const agentTables = (): string => execFileSync('ip', ['netns', 'exec', ns.name, 'nft', 'list', 'tables'], { encoding: 'utf8' });
const agentTable = (): string => execFileSync('ip', ['netns', 'exec', ns.name, 'nft', 'list', 'table', 'inet', TABLE], { encoding: 'utf8' });
const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number => (r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1));

beforeAll(async () => {
  // The peer's kernel counts the VXLAN delivery packets it receives by outer DSCP.
  const chains = ['', 'ip6_'].flatMap((f) => DSCPS.map((d) => `  chain ${f}dscp_${d} {\n    counter\n  }`)).join('\n');
  const vmap = (f: string): string => DSCPS.map((d) => `${d} : jump ${f}dscp_${d}`).join(', ');
  execFileSync('ip', ['netns', 'exec', peer.name, 'nft', '-f', '-'], {
    input: `table inet vxf_seen {\n  chain seen {\n    type filter hook prerouting priority raw; policy accept;\n    udp dport 4789 @th,176,48 0x${MARKER} ip dscp vmap { ${vmap('')} }\n    udp dport 4789 @th,176,48 0x${MARKER} ip6 dscp vmap { ${vmap('ip6_')} }\n  }\n${chains}\n}\n`,
  });
  // The underlay's IPv6 addresses, for the IPv6 Tunnel (nodad: usable at once).
  ns.ip('addr', 'add', '2001:db8:201::1/64', 'dev', 'under0', 'nodad');
  peer.ip('addr', 'add', '2001:db8:201::2/64', 'dev', 'under1', 'nodad');
  a = await startAgentInNamespace(ns, MANAGE, { dataDir });
}, 30_000);

afterAll(async () => {
  await a?.close();
  peer.remove();
  ns.remove();
  rmSync(work, { recursive: true, force: true });
});

describe('Linux VXLAN.Filter by a Controller (agent process, nftables, delivery packets counted by a peer kernel)', () => {
  let tunnel = '';
  let filterA = '';
  let filterB = '';

  it('marks the outer header as the first Filter in Order says, else with DefaultDSCPMark', async () => {
    const c = a!.controller;
    const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
    const under0 = Object.entries(rows).find(([, v]) => v.Name === 'under0')![0];
    tunnel = await add(c, 'Device.VXLAN.Tunnel.', { Enable: 'true', RemoteEndpoints: '10.201.0.2', DefaultDSCPMark: '10' });
    await add(c, `${tunnel}Interface.`, { Enable: 'true', VNI, LowerLayers: under0 });
    // No Filter: the device's own mark, and no table of the agent's.
    await expectArrival([[3, -1, 46]], { 10: 3 });
    expect(agentTables()).not.toContain(TABLE);

    // A Filter of the Tunnel re-marks all its traffic.
    filterA = await add(c, 'Device.VXLAN.Filter.', { Enable: 'true', Interface: tunnel, DSCPMarkPolicy: '26' });
    await expectArrival(
      [
        [3, -1, 46],
        [2, 200, 46],
      ],
      { 26: 5 },
    );

    // VLAN 100 before it (Order 1): the inner packet's DSCP is copied; a frame without IP gets 0.
    filterB = await add(c, 'Device.VXLAN.Filter.', { Enable: 'true', AllInterfaces: 'true', VLANIDCheck: '100', DSCPMarkPolicy: '-1', Order: '1' });
    await expectArrival(
      [
        [4, 100, 46],
        [2, 100, -1],
        [2, 200, 46],
        [1, -1, 46],
      ],
      { 46: 4, 0: 2, 26: 3 },
    );
    const read = await getObjects(c, [filterA, filterB]);
    expect(read[filterB]).toMatchObject({ Order: '1', Status: 'Enabled', VLANIDCheck: '100', DSCPMarkPolicy: '-1' });
    expect(read[filterA]).toMatchObject({ Order: '2', Status: 'Enabled', Interface: tunnel.slice(0, -1) });

    // VLANIDExclude: everything but VLAN 100, untagged frames too.
    await set(c, filterB, { VLANIDExclude: 'true' });
    await expectArrival(
      [
        [3, -1, 46],
        [2, 100, 46],
      ],
      { 46: 3, 26: 2 },
    );
    // Automatic (-2): the device's own mark, and Filter A no longer reached.
    await set(c, filterB, { DSCPMarkPolicy: '-2' });
    await expectArrival([[3, -1, 46]], { 10: 3 });
    // Disabled: out of the table.
    await set(c, filterB, { Enable: 'false' });
    await expectArrival([[2, -1, 46]], { 26: 2 });
  }, 60_000);

  it('refuses bad input without changing the table, and reads Error_Misconfigured with no Interface', async () => {
    const c = a!.controller;
    const before = agentTable();
    expect(code(await tryAdd(c, 'Device.VXLAN.Filter.', { Interface: 'Device.VXLAN.Tunnel.9' }))).toBe(7012);
    expect(code(await tryAdd(c, 'Device.VXLAN.Filter.', { Interface: 'Device.IP.Interface.1' }))).toBe(7012);
    expect(code(await trySet(c, filterA, { VLANIDCheck: '4095' }))).toBe(7012);
    expect(code(await trySet(c, filterA, { DSCPMarkPolicy: '64' }))).toBe(7012);
    expect(code(await trySet(c, filterA, { DSCPMarkPolicy: '-3' }))).toBe(7012);
    expect(agentTable()).toBe(before);
    const loose = await add(c, 'Device.VXLAN.Filter.', { Enable: 'true', DSCPMarkPolicy: '0' });
    expect((await getObjects(c, [loose]))[loose]).toMatchObject({ Status: 'Error_Misconfigured' });
    expect(agentTable()).toBe(before);
    await del(c, loose);
  });

  it('marks IPv6 delivery packets of an IPv6 Tunnel, told apart from the IPv4 one', async () => {
    const c = a!.controller;
    const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
    const under0 = Object.entries(rows).find(([, v]) => v.Name === 'under0')![0];
    const tunnel6 = await add(c, 'Device.VXLAN.Tunnel.', { Enable: 'true', DeliveryHeaderProtocol: 'IPv6', RemoteEndpoints: '2001:db8:201::2', DefaultDSCPMark: '10' });
    expect(tunnel6).toBe('Device.VXLAN.Tunnel.2.');
    await add(c, `${tunnel6}Interface.`, { Enable: 'true', VNI: '4243', LowerLayers: under0 });
    await expectArrival([[3, -1, 0]], { 'ip6 10': 3 }, DEV6);
    const filterC = await add(c, 'Device.VXLAN.Filter.', { Enable: 'true', Interface: `${tunnel6}Interface.1`, DSCPMarkPolicy: '46' });
    await expectArrival([[3, -1, 0]], { 'ip6 46': 3 }, DEV6);
    // Filter A (Tunnel 1's) still marks only the IPv4 Tunnel.
    await expectArrival([[2, -1, 0]], { 26: 2 });
    await del(c, filterC);
    await del(c, tunnel6);
  });

  it('writes the table again at start, after the device, and takes it away with the last Filter', async () => {
    const port = a!.port;
    await a!.close();
    // As after a reboot: neither the device nor the table.
    ns.ip('link', 'del', DEV);
    execFileSync('ip', ['netns', 'exec', ns.name, 'nft', 'delete', 'table', 'inet', TABLE]);
    a = await startAgentInNamespace(ns, MANAGE, { dataDir, port });
    await expect.poll(agentTables, { timeout: 15_000 }).toContain(TABLE);
    await expectArrival([[3, -1, 46]], { 26: 3 });
    await del(a.controller, filterA, filterB);
    expect(agentTables()).not.toContain(TABLE);
    await expectArrival([[2, -1, 46]], { 10: 2 });
    await del(a.controller, tunnel);
  }, 40_000);
});
