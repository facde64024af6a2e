/**
 * Device.Ethernet.Link.{i}. Add and Delete on the Linux platform (TR-181 EthernetLink:1
 * createDelete) against a real kernel: the built agent process (`npm run build` first) runs
 * `--platform linux --manage-interfaces la0` in its own network namespace with a veth pair
 * la0/la1, and a controller over a real WebSocket deletes la0's Link (its IP.Interface then names
 * none), adds one over la0's Ethernet.Interface again (the real netdev's MAC address and counters),
 * is refused Links that cannot be, and finds the rows as it left them after an agent restart on
 * the same data directory. Needs root; the namespace is removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { ethernetInterfaceOf, startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

// Unique per process (and apart from the other Linux namespace tests' addresses), so parallel runs do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-elad-${tag}`, `10.238.${tag % 250}`, `uspea${tag}`, 'ctl0');
const dataDir = mkdtempSync(join(tmpdir(), 'usp-elink-data-'));
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'la0', 'type', 'veth', 'peer', 'name', 'la1');
  ns.ip('link', 'set', 'la1', 'up');
  ns.ip('link', 'set', 'la0', 'up');
  a = await startAgentInNamespace(ns, 'la0', { dataDir });
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const c = () => a!.controller;

/** Every Link row as "Device.Ethernet.Link.N." → its values. */
const links = async (): Promise<Record<string, Record<string, string>>> => getObjects(c(), ['Device.Ethernet.Link.*.']);

/** The Link row naming kernel device `name`, if any. */
async function linkOf(name: string): Promise<string | undefined> {
  return Object.entries(await links()).find(([, v]) => v.Name === name)?.[0];
}

/** IP.Interface.{i}.LowerLayers of kernel device `name`. */
async function ipLowerOf(name: string): Promise<string | undefined> {
  return Object.values(await getObjects(c(), ['Device.IP.Interface.*.'])).find((v) => v.Name === name)?.LowerLayers;
}

/** The InterfaceStack pairs whose higher or lower layer is `ref` (the table is derived anew at most once a second: polled). */
const stackWith = async (ref: string): Promise<string[]> =>
  Object.values(await getObjects(c(), ['Device.InterfaceStack.*.']))
    .filter((r) => r.HigherLayer === ref || r.LowerLayer === ref)
    .map((r) => `${r.HigherLayer}>${r.LowerLayer}`);

const sysOf = (dev: string, file: string): string => execFileSync('ip', [...ns.exec.slice(1), 'cat', `/sys/class/net/${dev}/${file}`], { encoding: 'utf8' }).trim();

/** The parameter error code of a refused Add (or the Error's own). */
const refusal = (r: Awaited<ReturnType<typeof tryAdd>>): number | undefined => (r.ok ? undefined : (r.paramErrCode ?? r.errCode));

describe('Linux Ethernet.Link: a Controller deletes and adds Links over real netdevs', () => {
  let la0If: string;
  let oldLink: string;
  let newLink: string;
  let spare: string;

  it("deletes la0's Link: the netdev stays up, its IP.Interface and the InterfaceStack name it no more", async () => {
    la0If = (await ethernetInterfaceOf(c(), 'la0')).slice(0, -1);
    oldLink = (await linkOf('la0'))!;
    expect(oldLink).toBeDefined();
    expect(await ipLowerOf('la0')).toBe(oldLink.slice(0, -1));
    await expect.poll(() => stackWith(oldLink.slice(0, -1)), { timeout: 15_000 }).toContain(`${oldLink.slice(0, -1)}>${la0If}`);
    await del(c(), oldLink);
    expect(await linkOf('la0')).toBeUndefined();
    expect(await ipLowerOf('la0')).toBe('');
    await expect.poll(() => stackWith(oldLink.slice(0, -1)), { timeout: 15_000 }).toEqual([]);
    // A Link is a layer of the data model: deleting it leaves the kernel's device as it was.
    expect(ns.link('la0')?.flags).toContain('UP');
  });

  it("adds a Link over la0's Ethernet.Interface again: a new number, la0's MAC address and counters", async () => {
    newLink = await add(c(), 'Device.Ethernet.Link.', { LowerLayers: la0If, Alias: 'lan-port' });
    expect(newLink).not.toBe(oldLink);
    // Sent whether or not la0 answers (its link-local address may still be tentative): la1's pings arrive on la0.
    spawnSync('ip', [...ns.exec.slice(1), 'ping', '-6', '-c', '3', '-i', '0.2', '-w', '3', '-I', 'la1', 'ff02::1'], { stdio: 'ignore' });
    const rows = await getObjects(c(), [newLink, `${newLink}Stats.`]);
    expect(rows[newLink]).toMatchObject({ Name: 'la0', Alias: 'lan-port', LowerLayers: la0If, Enable: 'true', MACAddress: sysOf('la0', 'address') });
    expect(Number(rows[`${newLink}Stats.`]!.PacketsReceived)).toBeGreaterThanOrEqual(3);
    expect(Number(rows[`${newLink}Stats.`]!.PacketsReceived)).toBeLessThanOrEqual(Number(sysOf('la0', 'statistics/rx_packets')));
    expect(await ipLowerOf('la0')).toBe(newLink.slice(0, -1));
    await expect.poll(() => stackWith(newLink.slice(0, -1)), { timeout: 15_000 }).toContain(`${newLink.slice(0, -1)}>${la0If}`);
  });

  it('refuses a second Link over la0 and one over an interface that does not exist (7012); nothing is kept', async () => {
    const before = Object.keys(await links());
    expect(refusal(await tryAdd(c(), 'Device.Ethernet.Link.', { LowerLayers: la0If }))).toBe(7012);
    expect(refusal(await tryAdd(c(), 'Device.Ethernet.Link.', { LowerLayers: 'Device.Ethernet.Interface.999' }))).toBe(7012);
    expect(refusal(await tryAdd(c(), 'Device.Ethernet.Link.', { LowerLayers: 'Device.IP.Interface.1' }))).toBe(7012);
    // la1 has its own Link: moving the added one there is refused too.
    const la1If = (await ethernetInterfaceOf(c(), 'la1')).slice(0, -1);
    const moved = await trySet(c(), newLink, { LowerLayers: la1If });
    expect(moved.ok ? 0 : (moved.paramErrCode ?? moved.errCode)).toBe(7012);
    expect(Object.keys(await links())).toEqual(before);
  });

  it('adds a Link on no lower layer: Down, then LowerLayerDown once enabled', async () => {
    spare = await add(c(), 'Device.Ethernet.Link.', { Alias: 'spare' });
    expect((await getObjects(c(), [spare]))[spare]).toMatchObject({ Status: 'Down', Enable: 'false', LowerLayers: '', Name: '' });
    const on = await trySet(c(), spare, { Enable: 'true' });
    expect(on.ok).toBe(true);
    expect((await getObjects(c(), [spare]))[spare]).toMatchObject({ Status: 'LowerLayerDown', Enable: 'true' });
  });

  it('keeps the rows as the Controller left them across an agent restart', async () => {
    const before = await links();
    const port = a!.port;
    await a!.close();
    a = await startAgentInNamespace(ns, 'la0', { dataDir, port });
    const after = await links();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after[oldLink]).toBeUndefined();
    expect(after[newLink]).toMatchObject({ Name: 'la0', Alias: 'lan-port', LowerLayers: (await ethernetInterfaceOf(c(), 'la0')).slice(0, -1) });
    expect(after[spare]).toMatchObject({ Alias: 'spare', Enable: 'true', LowerLayers: '' });
    expect(await ipLowerOf('la0')).toBe(newLink.slice(0, -1));
    // Deleted, the added Link goes for good; la0 then has none (its own stays deleted).
    await del(c(), newLink, spare);
    expect(await linkOf('la0')).toBeUndefined();
    expect(await ipLowerOf('la0')).toBe('');
  }, 60_000);
});
