/**
 * Linux Bridging write-back, for real: the built agent process (`npm run build` first) runs with
 * `--platform linux --manage-interfaces br-usp1,ba0,bb0` inside its own network namespace, and a
 * controller over a real WebSocket (through a veth pair) adds a bridge, attaches and moves ports
 * by their LowerLayers and deletes them; each step is checked with `ip -json` in the namespace.
 * A failing step of a message (a port on an unmanaged device) undoes the steps before it.
 * Needs root (`ip netns`); the namespace is removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';
import type { TestController } from '../peers/TestController.js';

// Unique per process (and apart from linux-writeback.test.ts's addresses), so parallel runs do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-br-${tag}`, `10.232.${tag % 250}`, `uspbr${tag}`, 'ctl0');
let c: TestController;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'ba0', 'type', 'veth', 'peer', 'name', 'ba1');
  ns.ip('link', 'add', 'bb0', 'type', 'veth', 'peer', 'name', 'bb1');
  ({ controller: c, close } = await startAgentInNamespace(ns, 'br-usp1,ba0,bb0'));
}, 30_000);

afterAll(async () => {
  await close?.();
  ns.remove();
});

/** Device.Ethernet.Interface.N of device `name` (no trailing dot: a reference value). */
async function ethernet(name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.Ethernet.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no Ethernet.Interface for ${name}: ${JSON.stringify(rows)}`);
  return path.slice(0, -1);
}

const master = (dev: string): string | undefined => ns.link(dev)?.master;

describe('Linux Bridging write-back, in a network namespace', () => {
  it('Add a Bridge and a Port, move the Port to another device, Delete both', async () => {
    const bridge = await add(c, 'Device.Bridging.Bridge.', { Enable: 'true', AgingTime: '120' });
    const created = ns.links().find((l) => l.ifname === 'br-usp1');
    expect(created?.flags).toContain('UP');
    expect((await getObjects(c, [`${bridge}Name`, `${bridge}AgingTime`, `${bridge}Standard`]))[bridge]).toEqual({ Name: 'br-usp1', AgingTime: '120', Standard: '802.1D-2004' });
    // Port.1 is the management port, the bridge itself.
    expect((await getObjects(c, [`${bridge}Port.1.ManagementPort`, `${bridge}Port.1.Name`]))[`${bridge}Port.1.`]).toEqual({ ManagementPort: 'true', Name: 'br-usp1' });

    const [ba0, bb0] = [await ethernet('ba0'), await ethernet('bb0')];
    const port = await add(c, `${bridge}Port.`, { LowerLayers: ba0, Enable: 'true' });
    expect(master('ba0')).toBe('br-usp1');
    expect((await getObjects(c, [`${port}Name`, `${port}LowerLayers`]))[port]).toEqual({ Name: 'ba0', LowerLayers: ba0 });
    expect((await getObjects(c, [`${bridge}Port.1.LowerLayers`]))[`${bridge}Port.1.`].LowerLayers).toBe(port.slice(0, -1));

    await set(c, port, { LowerLayers: bb0 });
    expect([master('ba0'), master('bb0')]).toEqual([undefined, 'br-usp1']);
    expect((await getObjects(c, [`${port}Name`]))[port].Name).toBe('bb0');

    await del(c, port);
    expect(master('bb0')).toBeUndefined();
    await del(c, bridge);
    expect(ns.links().some((l) => l.ifname === 'br-usp1')).toBe(false);
  });

  it('a Port on a device the agent does not manage fails the message (7002) and undoes the Port added before it', async () => {
    const bridge = await add(c, 'Device.Bridging.Bridge.', {});
    const [ba0, ba1] = [await ethernet('ba0'), await ethernet('ba1')];
    const m = await c.send({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [
          { objPath: `${bridge}Port.`, paramSettings: [{ param: 'LowerLayers', value: ba0, required: true }] },
          { objPath: `${bridge}Port.`, paramSettings: [{ param: 'LowerLayers', value: ba1, required: true }] },
        ],
      },
    });
    expect(m.body.msgBody === 'error' ? m.body.error.errCode : 0).toBe(7002);
    expect([master('ba0'), master('ba1')]).toEqual([undefined, undefined]);
    const ports = await getObjects(c, [`${bridge}Port.*.Name`]);
    expect(Object.values(ports).map((p) => p.Name)).toEqual(['br-usp1']);
    await del(c, bridge);
  });
});
