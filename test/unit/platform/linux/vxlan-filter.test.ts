/**
 * The Linux VXLAN.Filter table (platform/linux/vxlan-filter.ts) over the real schema and an
 * in-memory store, with a runner that records each `nft -f -` script and lists the devices the
 * test says the kernel holds: what is written when, TR-106 Order precedence from the first write,
 * nft refusing a table (7003, nothing kept), and the checks every platform shares (7012).
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { LinuxVxlanFilters } from '../../../../platform/linux/vxlan-filter.js';
import type { VxlanFilterTarget } from '../../../../platform/linux/vxlan-filter-nft.js';
import { refusal } from '../refusal.js';

const schema = Schema.load();
const FILTER = 'Device.VXLAN.Filter.{i}.';

function fixture() {
  const model = new DataModel(schema);
  const store = new DataStore();
  const scripts: string[] = [];
  let failing = false;
  let targets: VxlanFilterTarget[] = [{ tunnel: 1, iface: 1, vni: 5, port: 4789, ipv6: false }];
  const runner = {
    run: async (_cmd: string, _args: string[], opts?: { input?: string }) => {
      if (failing) throw new Error('Error: Could not process rule');
      scripts.push(opts?.input ?? '');
      return '';
    },
  } as unknown as CommandRunner;
  const filters = new LinuxVxlanFilters({ model, store, runner, rows: { tunnels: () => [1], interfaces: () => [1] }, targets: async () => targets });
  filters.register();
  const table = model.bindingOf(model.requireNode(FILTER)) as Required<ObjectBinding>;
  return {
    filters,
    store,
    table,
    scripts,
    fail: (on: boolean) => (failing = on),
    devices: (t: VxlanFilterTarget[]) => (targets = t),
    get: (n: number) => table.get([n], {}),
  };
}

const rules = (script: string | undefined): string[] => (script ?? '').split('\n').filter((l) => l.includes('comment "Device.VXLAN.Filter.'));

describe('Linux VXLAN.Filter table', () => {
  it('leaves netfilter alone until a Filter is in effect, then writes on each change and removes the table with the last one', async () => {
    const fx = fixture();
    await fx.filters.refresh();
    const n = await fx.table.add([], { Interface: 'Device.VXLAN.Tunnel.1', DSCPMarkPolicy: 26 }, {});
    // A disabled row is in effect nowhere: still nothing written.
    expect(fx.scripts).toEqual([]);
    expect(await fx.get(n)).toMatchObject({ Status: 'Disabled', Order: 1, DSCPMarkPolicy: 26, VLANIDCheck: -1 });
    await fx.table.set([n], { Enable: true }, {});
    expect(rules(fx.scripts[0])).toEqual(['    ip dscp set 26 accept comment "Device.VXLAN.Filter.1"']);
    expect(await fx.get(n)).toMatchObject({ Status: 'Enabled' });
    await fx.table.delete([n], {});
    expect(fx.scripts[1]).toBe('table inet usp_agent_vxlan_filter {}\ndelete table inet usp_agent_vxlan_filter\n');
  });

  it('gives a row added at a taken Order precedence in its first write, then moves the others down', async () => {
    const fx = fixture();
    const a = await fx.table.add([], { Enable: true, AllInterfaces: true, DSCPMarkPolicy: 10 }, {});
    const b = await fx.table.add([], { Enable: true, AllInterfaces: true, DSCPMarkPolicy: 20 }, {});
    expect([(await fx.get(a)).Order, (await fx.get(b)).Order]).toEqual([1, 2]);
    const c = await fx.table.add([], { Enable: true, AllInterfaces: true, DSCPMarkPolicy: 30, Order: 1 }, {});
    expect(rules(fx.scripts.at(-1))).toEqual([
      '    ip dscp set 30 accept comment "Device.VXLAN.Filter.3"',
      '    ip dscp set 10 accept comment "Device.VXLAN.Filter.1"',
      '    ip dscp set 20 accept comment "Device.VXLAN.Filter.2"',
    ]);
    expect([(await fx.get(c)).Order, (await fx.get(a)).Order, (await fx.get(b)).Order]).toEqual([1, 2, 3]);
  });

  it('writes again when the devices change, not when they stay', async () => {
    const fx = fixture();
    await fx.table.add([], { Enable: true, AllInterfaces: true, DSCPMarkPolicy: 8 }, {});
    const written = fx.scripts.length;
    await fx.filters.refresh();
    expect(fx.scripts).toHaveLength(written);
    fx.devices([{ tunnel: 1, iface: 1, vni: 5, port: 4789, ipv6: false, local: '10.0.0.1' }]);
    await fx.filters.refresh();
    expect(fx.scripts).toHaveLength(written + 1);
    expect(fx.scripts.at(-1)).toContain('ip saddr 10.0.0.1 udp dport 4789 @th,96,24 5 jump tunnel1_interface1');
  });

  it('refuses what nft refuses (7003) and what the shared checks refuse (7012), keeping nothing', async () => {
    const fx = fixture();
    fx.fail(true);
    expect((await refusal(() => fx.table.add([], { Enable: true, AllInterfaces: true, DSCPMarkPolicy: 8 }, {}))).code).toBe(ErrorCode.InternalError);
    expect(fx.store.instances('Device.VXLAN.Filter.')).toEqual([]);
    fx.fail(false);
    const bad = await refusal(() => fx.table.add([], { Interface: 'Device.VXLAN.Tunnel.2', VLANIDCheck: 4095 }, {}));
    expect(bad.code).toBe(ErrorCode.InvalidValue);
    expect(bad.paramErrors?.map((p) => p.param)).toEqual(['Interface', 'VLANIDCheck']);
    expect(fx.scripts).toEqual([]);
    // A refresh failing (nft gone) is logged, not thrown: the rows stay.
    const n = await fx.table.add([], { Enable: true, AllInterfaces: true }, {});
    fx.fail(true);
    fx.devices([]);
    await expect(fx.filters.refresh()).resolves.toBeUndefined();
    expect(fx.store.instances('Device.VXLAN.Filter.')).toEqual([n]);
  });
});
