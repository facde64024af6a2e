/**
 * Device.Ethernet.RMONStats.{i}.Enable of the Linux platform across a restart of the real agent
 * process (`npm run build` first), in its own network namespace with a controller over a real
 * WebSocket: a row the Controller disabled reads Disabled after the start, and follows its port
 * by name when the port's instance number changed meanwhile (a port found before it is gone).
 * Needs root; the namespace is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { set } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';
import type { TestController } from '../peers/TestController.js';

// Unique per process (and apart from the other Linux namespace tests' addresses), so parallel runs do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-rmon-${tag}`, `10.234.${tag % 250}`, `usprm${tag}`, 'ctl0');
const dataDir = mkdtempSync(join(tmpdir(), 'usp-rmon-data-'));
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  // rb0 is made first, so its rows come before those of ra0 (the rows follow the ifindex order).
  ns.ip('link', 'add', 'rb0', 'type', 'veth', 'peer', 'name', 'rb1');
  ns.ip('link', 'add', 'ra0', 'type', 'veth', 'peer', 'name', 'ra1');
  for (const d of ['rb0', 'rb1', 'ra0', 'ra1']) ns.ip('link', 'set', d, 'up');
  a = await startAgentInNamespace(ns, 'ra0', { dataDir });
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The RMONStats rows by device name: path and values. */
async function rmonByName(c: TestController): Promise<Map<string, { row: string; v: Record<string, string> }>> {
  const rows = await getObjects(c, ['Device.Ethernet.RMONStats.*.']);
  return new Map(Object.entries(rows).map(([row, v]) => [v.Name!, { row, v }]));
}

describe('Ethernet.RMONStats Enable across an agent restart', () => {
  it('a row disabled before the restart reads Disabled after it, found by its device name, not its number', async () => {
    const before = await rmonByName(a!.controller);
    const ra0 = before.get('ra0')!;
    expect(ra0, JSON.stringify([...before.keys()])).toBeDefined();
    expect(Number(before.get('rb0')!.row.split('.').at(-2))).toBeLessThan(Number(ra0.row.split('.').at(-2)));
    await set(a!.controller, ra0.row, { Enable: 'false' });
    expect((await rmonByName(a!.controller)).get('ra0')!.v).toMatchObject({ Enable: 'false', Status: 'Disabled' });

    const port = a!.port;
    await a!.close();
    a = undefined;
    // rb0 (and its peer) gone: ra0's row gets another instance number at the next start.
    ns.ip('link', 'del', 'rb0');
    a = await startAgentInNamespace(ns, 'ra0', { dataDir, port });

    const after = await rmonByName(a.controller);
    expect(after.has('rb0')).toBe(false);
    expect(after.get('ra0')!.row).not.toBe(ra0.row);
    // Disabled: its counters read 0.
    expect(after.get('ra0')!.v).toMatchObject({ Enable: 'false', Status: 'Disabled', Bytes: '0', Packets: '0' });
    // The others kept their Enable (true), now numbered where ra0 was.
    for (const [name, { v }] of after) if (name !== 'ra0') expect(v, name).toMatchObject({ Enable: 'true', Status: 'Enabled' });

    // Enabled again: counting, and so after the next start too.
    await set(a.controller, after.get('ra0')!.row, { Enable: 'true' });
    const counting = (await rmonByName(a.controller)).get('ra0')!.v;
    expect(counting).toMatchObject({ Enable: 'true', Status: 'Enabled' });
    expect(BigInt(counting.Bytes!)).toBeGreaterThan(0n); // the IPv6 router/neighbour solicitations ra1 sent since it came up
    await a.close();
    a = undefined;
    a = await startAgentInNamespace(ns, 'ra0', { dataDir, port });
    expect((await rmonByName(a.controller)).get('ra0')!.v).toMatchObject({ Enable: 'true', Status: 'Enabled' });
  }, 60_000);
});
