/**
 * Linux Bridging write-back, for real: the built agent process (`npm run build` first) runs with
 * `--platform linux --manage-interfaces br-usp1,ba0,bb0` inside its own network namespace, and a
 * controller over a real WebSocket (through a veth pair) adds a bridge, attaches and moves ports
 * by their LowerLayers and deletes them; each step is checked with `ip -json` in the namespace.
 * A failing step of a message (a port on an unmanaged device) undoes the steps before it. Port
 * state, Stats and the bridge's STP settings read what the kernel says (`ip -d -json link`).
 * Needs root (`ip netns`); the namespace is removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { ethernetInterfaceOf, readUntil, startAgentInNamespace } from '../peers/netns-agent.js';
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
const ethernet = async (name: string): Promise<string> => (await ethernetInterfaceOf(c, name)).slice(0, -1);

const master = (dev: string): string | undefined => ns.link(dev)?.master;

/** What `ip -d -json link show DEV` says of a bridge (info_data) or a bridge port (info_slave_data). */
function linkInfo(dev: string): { info_data?: Record<string, unknown>; info_slave_data?: Record<string, unknown> } {
  const [l] = JSON.parse(ns.ip('-d', '-json', 'link', 'show', 'dev', dev)) as [{ linkinfo?: { info_data?: Record<string, unknown>; info_slave_data?: Record<string, unknown> } }];
  return l.linkinfo ?? {};
}

/** Counters of DEV as `ip -s -json link` shows them. */
function counters(dev: string): { rx: Record<string, number>; tx: Record<string, number> } {
  const [l] = JSON.parse(ns.ip('-s', '-json', 'link', 'show', 'dev', dev)) as [{ stats64: { rx: Record<string, number>; tx: Record<string, number> } }];
  return l.stats64;
}

describe('Linux Bridging write-back, in a network namespace', () => {
  it('Add a Bridge and a Port, move the Port to another device, Delete both', async () => {
    const bridge = await add(c, 'Device.Bridging.Bridge.', { Enable: 'true', AgingTime: '120' });
    const created = ns.links().find((l) => l.ifname === 'br-usp1');
    expect(created?.flags).toContain('UP');
    expect((await getObjects(c, [`${bridge}Name`, `${bridge}AgingTime`, `${bridge}Standard`]))[bridge]).toEqual({ Name: 'br-usp1', AgingTime: '120', Standard: '802.1D-2004' });
    // This kernel has bridges but no VLAN filtering: 802.1Q-2011 is refused (7012) as the kernel
    // refuses vlan_filtering 1, and the bridge has no VLAN rows (`bridge -j vlan show` answers []).
    await set(c, bridge, { Standard: '802.1D-2004' });
    expect(await trySet(c, bridge, { Standard: '802.1Q-2011' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(linkInfo('br-usp1').info_data).toMatchObject({ vlan_filtering: 0 });
    expect(await getObjects(c, [`${bridge}VLANNumberOfEntries`, `${bridge}Standard`])).toEqual({ [bridge]: { VLANNumberOfEntries: '0', Standard: '802.1D-2004' } });
    expect(await tryAdd(c, `${bridge}VLAN.`, { VLANID: '10' })).toMatchObject({ ok: false, errCode: 7012 });
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

  it('ManagementPort moves the bridge role between rows: the kernel enslaves or frees the device the row stands for', async () => {
    const bridge = await add(c, 'Device.Bridging.Bridge.', { Enable: 'true' });
    const [ba0, bb0] = [await ethernet('ba0'), await ethernet('bb0')];
    const port = await add(c, `${bridge}Port.`, { LowerLayers: ba0 });
    const mgmt = `${bridge}Port.1.`;
    const ports = async () => Object.fromEntries(Object.entries(await getObjects(c, [`${bridge}Port.*.Name`, `${bridge}Port.*.ManagementPort`])).map(([k, v]) => [k, `${v.Name} ${v.ManagementPort}`]));
    // The value a row has is accepted; a second management port (7012), or the bridge's own row
    // becoming a member without naming the device to enslave (7012), is not; nothing changes.
    await set(c, mgmt, { ManagementPort: 'true' });
    await set(c, port, { ManagementPort: 'false' });
    expect(await trySet(c, port, { ManagementPort: 'true' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await tryAdd(c, `${bridge}Port.`, { ManagementPort: 'true' })).toMatchObject({ ok: false, errCode: 7012 });
    expect(await trySet(c, mgmt, { ManagementPort: 'false' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, mgmt, { ManagementPort: 'false', LowerLayers: ba0 })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await ports()).toEqual({ [mgmt]: 'br-usp1 true', [port]: 'ba0 false' });

    // In one message with a change that fails (a port moved to a device the agent does not manage, 7002), the role change is undone too.
    const m = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          {
            objPath: mgmt,
            paramSettings: [
              { param: 'ManagementPort', value: 'false', required: true },
              { param: 'LowerLayers', value: bb0, required: true },
            ],
          },
          { objPath: port, paramSettings: [{ param: 'LowerLayers', value: await ethernet('ba1'), required: true }] },
        ],
      },
    });
    expect(m.body.msgBody === 'error' ? m.body.error.paramErrs?.[0]?.errCode : 0).toBe(7002);
    expect([master('ba0'), master('bb0')]).toEqual(['br-usp1', undefined]);
    expect(await ports()).toEqual({ [mgmt]: 'br-usp1 true', [port]: 'ba0 false' });
    // Port.1 becomes a member on bb0: bb0 joins the bridge, which shows no management row now.
    await set(c, mgmt, { ManagementPort: 'false', LowerLayers: bb0 });
    expect([master('ba0'), master('bb0')]).toEqual(['br-usp1', 'br-usp1']);
    expect(await ports()).toEqual({ [mgmt]: 'bb0 false', [port]: 'ba0 false' });
    // The ba0 row becomes the management port: ba0 leaves the bridge, the row is the bridge device.
    await set(c, port, { ManagementPort: 'true' });
    expect([master('ba0'), master('bb0')]).toEqual([undefined, 'br-usp1']);
    expect((await getObjects(c, [`${port}Name`, `${port}LowerLayers`]))[port]).toEqual({ Name: 'br-usp1', LowerLayers: mgmt.slice(0, -1) });
    // Once more a member (on ba0), then a Controller adds the management port as a new row (members in ifindex order).
    await set(c, port, { ManagementPort: 'false', LowerLayers: ba0 });
    const added = await add(c, `${bridge}Port.`, { ManagementPort: 'true' });
    expect((await getObjects(c, [`${added}Name`, `${added}LowerLayers`]))[added]).toEqual({ Name: 'br-usp1', LowerLayers: [port, mgmt].map((p) => p.slice(0, -1)).join(',') });
    expect([master('ba0'), master('bb0')]).toEqual(['br-usp1', 'br-usp1']);
    await del(c, bridge);
    expect([master('ba0'), master('bb0')]).toEqual([undefined, undefined]);
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

  it('reads Port state and Stats, and reads and writes the bridge STP; a failing later change undoes the STP one', async () => {
    const bridge = await add(c, 'Device.Bridging.Bridge.', { Enable: 'true' });
    expect((await getObjects(c, ['Device.Bridging.MaxBridgeEntries', 'Device.Bridging.MaxDBridgeEntries']))['Device.Bridging.']).toEqual({ MaxBridgeEntries: '64', MaxDBridgeEntries: '64' });
    const stp = `${bridge}STP.`;
    expect((await getObjects(c, [stp]))[stp]).toEqual({ Enable: 'false', Status: 'Disabled', Protocol: 'STP', BridgePriority: '32768', HelloTime: '200', MaxAge: '2000', ForwardingDelay: '15' });

    await set(c, stp, { Enable: 'true', BridgePriority: '4096', HelloTime: '300', ForwardingDelay: '30' });
    expect(linkInfo('br-usp1').info_data).toMatchObject({ stp_state: 1, priority: 4096, hello_time: 300, forward_delay: 3000 });
    expect((await getObjects(c, [stp]))[stp]).toMatchObject({ Enable: 'true', Status: 'Enabled', BridgePriority: '4096', HelloTime: '300', ForwardingDelay: '30' });

    // A port with carrier under STP listens first (for ForwardingDelay, 30 s): what the kernel says, the Port says.
    const port = await add(c, `${bridge}Port.`, { LowerLayers: await ethernet('ba0'), Enable: 'true' });
    ns.ip('link', 'set', 'ba1', 'up');
    const kernelState = String(linkInfo('ba0').info_slave_data?.state);
    expect(kernelState).toBe('listening');
    expect((await getObjects(c, [`${port}PortState`]))[port]!.PortState).toBe('Listening');
    expect((await getObjects(c, [`${bridge}Port.1.PortState`]))[`${bridge}Port.1.`]!.PortState).toBe('Forwarding');

    // The port's STP priority and cost: TR-181's 128 is the kernel's 32 (6 bits of priority, not 4).
    expect((await getObjects(c, [`${port}Priority`, `${port}PathCost`]))[port]).toEqual({ Priority: '128', PathCost: '2' });
    await set(c, port, { Priority: '64', PathCost: '100' });
    expect(linkInfo('ba0').info_slave_data).toMatchObject({ priority: 16, cost: 100 });
    expect((await getObjects(c, [`${port}Priority`, `${port}PathCost`]))[port]).toEqual({ Priority: '64', PathCost: '100' });
    const step = await trySet(c, port, { Priority: '70' });
    expect(step.ok ? 0 : step.paramErrCode).toBe(7012);

    // Stats are the port device's own counters (ba0's, as `ip -s` shows them).
    const stats = (await getObjects(c, [`${port}Stats.`]))[`${port}Stats.`]!;
    const k = counters('ba0');
    // Packets may flow between the two reads (IPv6 DAD on the new link): the kernel's second look is never behind the agent's.
    expect(Number(stats.PacketsSent)).toBeLessThanOrEqual(k.tx.packets!);
    expect(Number(stats.BytesReceived)).toBeLessThanOrEqual(k.rx.bytes!);
    // With the kernel's counters, the agent's nftables ones (the unicast/broadcast classes, sent multicast, unknown protocols).
    expect(Object.keys(stats).sort()).toEqual([
      'BroadcastPacketsReceived',
      'BroadcastPacketsSent',
      'BytesReceived',
      'BytesSent',
      'DiscardPacketsReceived',
      'DiscardPacketsSent',
      'ErrorsReceived',
      'ErrorsSent',
      'MulticastPacketsReceived',
      'MulticastPacketsSent',
      'PacketsReceived',
      'PacketsSent',
      'UnicastPacketsReceived',
      'UnicastPacketsSent',
      'UnknownProtoPacketsReceived',
    ]);

    // Bad inputs: out of the schema's range (7012), Protocol (the kernel runs STP only: read-only, 7013); nothing written.
    const range = await trySet(c, stp, { BridgePriority: '5000' });
    expect(range.ok ? 0 : (range.paramErrCode ?? range.errCode)).toBe(7012);
    const rstp = await trySet(c, stp, { Protocol: 'RSTP' });
    expect(rstp.ok ? 0 : (rstp.paramErrCode ?? rstp.errCode)).toBe(7013);
    expect(linkInfo('br-usp1').info_data).toMatchObject({ stp_state: 1, priority: 4096 });

    // One message: STP HelloTime (applied), then a Port moved to a device the agent does not manage (7002): both undone.
    const m = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: stp, paramSettings: [{ param: 'HelloTime', value: '500', required: true }] },
          { objPath: port, paramSettings: [{ param: 'LowerLayers', value: await ethernet('ba1'), required: true }] },
        ],
      },
    });
    // The message fails as a required parameter that failed (7021), for the reason the Port gives (7002).
    expect(m.body.msgBody === 'error' ? [m.body.error.errCode, m.body.error.paramErrs?.[0]?.errCode] : []).toEqual([7021, 7002]);
    expect(linkInfo('br-usp1').info_data).toMatchObject({ hello_time: 300 });
    expect(master('ba0')).toBe('br-usp1');

    ns.ip('link', 'set', 'ba1', 'down');
    await del(c, port);
    await del(c, bridge);
  });
});

describe('Bridge Port LastChange from the `ip monitor link` watcher', () => {
  it("counts from the last change of the port's Status, and starts again when the kernel changes it", async () => {
    const bridge = await add(c, 'Device.Bridging.Bridge.', { Enable: 'true' });
    const port = await add(c, `${bridge}Port.`, { LowerLayers: await ethernet('bb0'), Enable: 'true' });
    ns.ip('link', 'set', 'bb1', 'up');
    const before = await readUntil(c, port, ['Status', 'LastChange'], (v) => v.Status === 'Up' && Number(v.LastChange) >= 2);
    // The far end goes down: the port loses its carrier.
    ns.ip('link', 'set', 'bb1', 'down');
    const after = await readUntil(c, port, ['Status', 'LastChange'], (v) => v.Status === 'LowerLayerDown');
    expect(Number(after.LastChange)).toBeLessThan(Number(before.LastChange));
    await del(c, bridge);
  }, 40_000);
});
