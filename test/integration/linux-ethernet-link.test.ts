/**
 * Device.Ethernet.Link.{i}. and RMONStats.{i}. of the Linux platform against a real kernel: the
 * built agent process (`npm run build` first) runs `--platform linux --manage-interfaces la0` in
 * its own network namespace, and a controller over a real WebSocket (through a veth pair) reads
 * the rows of the veth la0 while the test sends it frames and changes its peer. Needs root and
 * ping; the namespace is removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { readUntil, startAgentInNamespace } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';
import type { TestController } from '../peers/TestController.js';

// Unique per process (and apart from the other Linux namespace tests' addresses), so parallel runs do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-elink-${tag}`, `10.237.${tag % 250}`, `uspel${tag}`, 'ctl0');
let c: TestController;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'la0', 'type', 'veth', 'peer', 'name', 'la1');
  ns.ip('link', 'set', 'la1', 'up');
  ns.ip('link', 'set', 'la0', 'up');
  ({ controller: c, close } = await startAgentInNamespace(ns, 'la0'));
}, 30_000);

afterAll(async () => {
  await close?.();
  ns.remove();
});

/** Device.Ethernet.Link.N. of kernel device `name`. */
async function linkOf(name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.Ethernet.Link.*.Name']);
  const row = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!row) throw new Error(`no Ethernet.Link for ${name}: ${JSON.stringify(rows)}`);
  return row;
}

/** A receive counter of `dev` in the namespace's /sys. */
const rx = (dev: string, counter: string): bigint => BigInt(execFileSync('ip', [...ns.exec.slice(1), 'cat', `/sys/class/net/${dev}/statistics/${counter}`], { encoding: 'utf8' }).trim());

describe('Ethernet.RMONStats of a veth (no RMON group: the kernel counters)', () => {
  it("counts the frames la0 receives, as the kernel does: la1's pings to all nodes", async () => {
    const rows = await getObjects(c, ['Device.Ethernet.RMONStats.*.Name']);
    const row = Object.entries(rows).find(([, v]) => v.Name === 'la0')?.[0];
    expect(row, JSON.stringify(rows)).toBeDefined();
    const before = rx('la0', 'rx_packets');
    // IPv6 multicast echo requests from la1 arrive on la0 (the namespace's own addresses would go over lo).
    // Sent whether or not la0 answers yet (its link-local address may still be tentative): ping's exit status does not matter.
    spawnSync('ip', [...ns.exec.slice(1), 'ping', '-6', '-c', '3', '-i', '0.2', '-w', '3', '-I', 'la1', 'ff02::1'], { stdio: 'ignore' });
    const v = (await getObjects(c, [row!]))[row!]!;
    const after = rx('la0', 'rx_packets') + rx('la0', 'rx_errors');
    expect(v).toMatchObject({ Enable: 'true', Status: 'Enabled', Interface: expect.stringMatching(/^Device\.Ethernet\.Interface\.\d+$/), VLANID: '0' });
    expect(BigInt(v.Packets!)).toBeGreaterThanOrEqual(before + 3n);
    expect(BigInt(v.Packets!)).toBeLessThanOrEqual(after);
    expect(v).toHaveProperty('MulticastPackets'); // veth counts none on receive
    expect(BigInt(v.Bytes!)).toBeGreaterThan(0n);
    // veth has no RMON group: no size histogram.
    expect(v).not.toHaveProperty('Packets64Bytes');
  });
});

describe('Ethernet.Link.LastChange from the `ip monitor link` watcher', () => {
  it("counts from the last change of the Link's Status, and starts again when the peer drops the carrier", async () => {
    const la0 = await linkOf('la0');
    const before = await readUntil(c, la0, ['Status', 'LastChange'], (v) => v.Status === 'Up' && Number(v.LastChange) >= 2);
    // The peer down: la0 stays administratively up without carrier, so its Link is LowerLayerDown.
    ns.ip('link', 'set', 'la1', 'down');
    const after = await readUntil(c, la0, ['Status', 'LastChange'], (v) => v.Status === 'LowerLayerDown');
    expect(Number(after.LastChange)).toBeLessThan(Number(before.LastChange));
  }, 40_000);
});
