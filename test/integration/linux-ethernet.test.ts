/**
 * Linux Ethernet link settings written for real: the built agent process (`npm run build` first)
 * runs with `--platform linux --manage-interfaces et0,ea0` in its own network namespace, and a
 * controller over a real WebSocket (through a veth pair) sets Ethernet.Interface MaxBitRate and
 * DuplexMode, which the agent applies with `ethtool -s`; each step is checked with `ethtool` in
 * the namespace. et0 is a tap device (its driver takes forced link settings), ea0 a veth (whose
 * driver refuses them). Needs root and ethtool; the namespace is removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { ethernetInterfaceOf, readUntil, startAgentInNamespace } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';
import type { TestController } from '../peers/TestController.js';

// Unique per process (and apart from the other Linux write-back tests' addresses), so parallel runs do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-eth-${tag}`, `10.236.${tag % 250}`, `uspeth${tag}`, 'ctl0');
let c: TestController;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ns.ip('tuntap', 'add', 'dev', 'et0', 'mode', 'tap');
  ns.ip('link', 'add', 'ea0', 'type', 'veth', 'peer', 'name', 'ea1');
  ({ controller: c, close } = await startAgentInNamespace(ns, 'et0,ea0'));
}, 30_000);

afterAll(async () => {
  await close?.();
  ns.remove();
});

/** Device.Ethernet.Interface.N. of device `name`. */
const ethernet = (name: string): Promise<string> => ethernetInterfaceOf(c, name);

/** Speed, Duplex and Auto-negotiation as `ethtool DEV` prints them in the namespace. */
function ethtool(dev: string): { speed?: string; duplex?: string; autoneg?: string } {
  const out = execFileSync('ip', [...ns.exec.slice(1), 'ethtool', dev], { encoding: 'utf8' });
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.+?)\\s*$`, 'm').exec(out)?.[1];
  return { speed: field('Speed'), duplex: field('Duplex'), autoneg: field('Auto-negotiation') };
}

const settings = async (path: string) => (await getObjects(c, [`${path}MaxBitRate`, `${path}DuplexMode`]))[path];

describe('Linux Ethernet MaxBitRate and DuplexMode, in a network namespace', () => {
  it('reads and forces the link settings with ethtool', async () => {
    const et0 = await ethernet('et0');
    // A new tap runs forced at 10 Gb/s full duplex.
    expect(await settings(et0)).toEqual({ MaxBitRate: '10000', DuplexMode: 'Full' });
    await set(c, et0, { MaxBitRate: '100', DuplexMode: 'Half' });
    expect(ethtool('et0')).toEqual({ speed: '100Mb/s', duplex: 'Half', autoneg: 'off' });
    expect(await settings(et0)).toEqual({ MaxBitRate: '100', DuplexMode: 'Half' });
  });

  it('refuses one automatic and one fixed setting (7012), a device whose driver cannot (7002) and an unmanaged one (7002)', async () => {
    const et0 = await ethernet('et0');
    const mixed = await trySet(c, et0, { MaxBitRate: '1000', DuplexMode: 'Auto' });
    expect(mixed.ok ? 0 : mixed.paramErrCode).toBe(7012);
    const veth = await trySet(c, await ethernet('ea0'), { MaxBitRate: '100', DuplexMode: 'Full' });
    expect(veth.ok ? 0 : veth.paramErrCode).toBe(7002);
    expect(veth.ok ? '' : veth.errMsg).toMatch(/ethtool -s ea0/);
    const unmanaged = await trySet(c, await ethernet('ea1'), { MaxBitRate: '100', DuplexMode: 'Full' });
    expect(unmanaged.ok ? 0 : unmanaged.paramErrCode).toBe(7002);
    expect(ethtool('et0')).toEqual({ speed: '100Mb/s', duplex: 'Half', autoneg: 'off' });
  });

  it('undoes an applied change when a later one of the same message fails', async () => {
    const [et0, ea0] = [await ethernet('et0'), await ethernet('ea0')];
    const m = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          {
            objPath: et0,
            paramSettings: [
              { param: 'MaxBitRate', value: '1000', required: true },
              { param: 'DuplexMode', value: 'Full', required: true },
            ],
          },
          { objPath: ea0, paramSettings: [{ param: 'MaxBitRate', value: '10', required: true }] },
        ],
      },
    });
    expect(m.body.msgBody === 'error' ? [m.body.error.errCode, m.body.error.paramErrs?.[0]?.errCode] : []).toEqual([7021, 7002]);
    expect(ethtool('et0')).toEqual({ speed: '100Mb/s', duplex: 'Half', autoneg: 'off' });
  });
});

describe('Ethernet.Interface.LastChange from the `ip monitor link` watcher', () => {
  it("counts from the last change of the port's Status, and starts again when the kernel changes it", async () => {
    const ea0 = await ethernet('ea0');
    ns.ip('link', 'set', 'ea1', 'up');
    ns.ip('link', 'set', 'ea0', 'up');
    const before = await readUntil(c, ea0, ['Status', 'LastChange'], (v) => v.Status === 'Up' && Number(v.LastChange) >= 2);
    ns.ip('link', 'set', 'ea0', 'down');
    const after = await readUntil(c, ea0, ['Status', 'LastChange'], (v) => v.Status === 'Down');
    expect(Number(after.LastChange)).toBeLessThan(Number(before.LastChange));
  }, 40_000);
});
