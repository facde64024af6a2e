/**
 * Device.Cellular.Interface.{i}.Stats. (TR-181 CellularInterfaceStats:1) with ModemManager: the
 * kernel counters (/sys/class/net/IF/statistics/, read as the Linux Ethernet Stats are) of the
 * modem's data netdev. That is the `interface` of its connected bearer (`mmcli -b B -J`
 * status.interface: wwan0, or a qmimux/mhi device when the modem multiplexes), else its "(net)"
 * port: ModemManager keeps no counters of its own for the interface (a bearer's stats start
 * again with each connection). A modem with no data netdev, or one the kernel does not show,
 * counts nothing (an empty object, not an error: the Interface row is still there).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { HostFiles } from '../linux/HostFiles.js';
import { counter, readCounters, STATS_FILES } from '../linux/net-stats.js';
import { netPort } from './map-cellular.js';
import type { Mmcli } from './Mmcli.js';
import { known, type MmcliModem, pathIndex } from './mmcli-types.js';

const STATS_PATH = 'Device.Cellular.Interface.{i}.Stats.';

/** The netdev carrying the modem's data: the first connected bearer's interface, else its net port. */
export async function dataDevice(mmcli: Mmcli, modem: NonNullable<MmcliModem['modem']>): Promise<string | undefined> {
  for (const bearer of modem.generic?.bearers ?? []) {
    const index = pathIndex(bearer);
    if (index === undefined) continue;
    const status = (await mmcli.bearer(index)).bearer?.status;
    const iface = known(status?.interface);
    if (known(status?.connected) === 'yes' && iface !== undefined) return iface;
  }
  return netPort(modem.generic?.ports);
}

/**
 * Serves the Stats object: `modemAt(n)` is the Interface row's modem (7016 for a row that is
 * gone), `sysRoot` where /sys is (tests give a tree).
 */
export function registerCellularStats(model: DataModel, mmcli: Mmcli, modemAt: (n: number | undefined) => Promise<{ data: NonNullable<MmcliModem['modem']> }>, sysRoot?: string): void {
  const files = new HostFiles({ sysRoot });
  const types = new Map(model.requireNode(STATS_PATH).def.params.map((p) => [p.name, p.type]));
  const names = Object.keys(STATS_FILES).filter((n) => types.has(n));
  model.register(STATS_PATH, {
    params: names,
    get: async ([n]: InstanceKeys) => {
      const { data } = await modemAt(n);
      const device = await dataDevice(mmcli, data);
      if (device === undefined || !/^[\w.:@-]+$/.test(device)) return {};
      const raw = await readCounters(files, device, names);
      const values: Record<string, Value> = {};
      names.forEach((name, i) => {
        const v = counter(types.get(name), raw[i]);
        if (v !== undefined) values[name] = v;
      });
      return values;
    },
  });
}
