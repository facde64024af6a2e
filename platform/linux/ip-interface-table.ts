/**
 * Add and Delete of Device.IP.Interface.{i} and its Reset() on Linux (TR-181 IPInterface:1).
 *
 * On Linux an IP interface is a network device: there is no IP layer object apart from it, so
 * a row cannot be added over a device that already has one. What an Add means here: a new
 * network device stacked on the Ethernet.Link its LowerLayers names, a macvlan (`ip link add
 * link LOWER name ip-uspN type macvlan mode bridge`): its own MAC address and IP configuration
 * on the same wire, as a WAN or management interface beside the LAN one. The lower device and
 * the new name (`ip-usp1`, `ip-usp2`, ...) must both be managed (`--manage-interfaces`, or `*`).
 * Only these devices can be deleted (`ip link del`); the others are the host's own (7002).
 *
 * Reset(): TR-181 "tear down the existing IP connection and establish a new one": the device goes
 * down and up again (`ip link set down`, `up`), on a managed interface that is enabled (a
 * disabled one is left as it is). The kernel then drops the interface's routes and its IPv6
 * addresses (keep_addr_on_down aside), and a DHCP or RA client on it starts again.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { IpLink } from './ip-addr.js';
import type { IpWriter } from './ip-write.js';

/** Names of the devices an Add creates; only these can be deleted. */
export const ADDED_NAME_RE = /^ip-usp(\d+)$/;

export interface InterfaceTableDeps {
  model: DataModel;
  ip: IpWriter;
  numbers: InstanceMap;
  /** The current links by name (the shared `ip -j addr` snapshot). */
  links(): Promise<ReadonlyMap<string, IpLink>>;
}

/** The binding methods of IP.Interface.{i} that add, delete and reset rows. */
export function interfaceTable(d: InterfaceTableDeps): Pick<ObjectBinding, 'add' | 'delete' | 'snapshot' | 'restore' | 'commands'> {
  const rowPath = (keys: InstanceKeys): string => `Device.IP.Interface.${keys[0] ?? '{i}'}.`;
  const create = async (lower: string, name: string, up: boolean, path?: string): Promise<void> => {
    await d.ip.run(['link', 'add', 'link', lower, 'name', name, 'type', 'macvlan', 'mode', 'bridge'], path);
    if (up) await d.ip.run(['link', 'set', 'dev', name, 'up'], path);
  };
  const existing = async (keys: InstanceKeys): Promise<IpLink> => {
    const name = d.numbers.requireKey(keys[0]);
    const link = (await d.links()).get(name);
    if (!link) throw new UspError(ErrorCode.ObjectDoesNotExist, `network interface ${name} no longer exists`);
    return link;
  };

  return {
    add: async (_parentKeys, params) => {
      const path = rowPath([]);
      for (const p of Object.keys(params)) {
        if (!['Enable', 'LowerLayers'].includes(p)) throw new UspError(ErrorCode.RequestDenied, `${path}${p} cannot be given in an Add on this platform; Set it once the interface exists`, { path });
      }
      const lower = await lowerDevice(d.model, params.LowerLayers, path);
      d.ip.requireManaged(lower, path);
      const links = await d.links();
      let n = 1;
      while (links.has(`ip-usp${n}`)) n++;
      const name = `ip-usp${n}`;
      d.ip.requireManaged(name, path);
      try {
        await create(lower, name, params.Enable === true, path);
      } catch (e) {
        // `up` failed after the device was made: take it away again, the Add did not happen.
        await d.ip.run(['link', 'del', 'dev', name]).catch(() => undefined);
        throw e;
      }
      return d.numbers.numberOf(name);
    },
    delete: async (keys) => {
      const path = rowPath(keys);
      const link = await existing(keys);
      if (!ADDED_NAME_RE.test(link.ifname)) {
        throw new UspError(ErrorCode.RequestDenied, `${path}: ${link.ifname} is one of the host's own interfaces; only those an Add made (ip-uspN) can be deleted: disable it instead`, { path });
      }
      d.ip.requireManaged(link.ifname, path);
      await d.ip.run(['link', 'del', 'dev', link.ifname], path);
    },
    // What a Delete removed, so a failed transaction makes it again (a new MAC address: the kernel picks one).
    snapshot: (keys) => {
      const before = existing(keys).then((l) => ({ name: l.ifname, lower: l.link, up: (l.flags ?? []).includes('UP') }));
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const s = await (snap as Promise<{ name: string; lower?: string; up: boolean }>);
      if (s.lower) await create(s.lower, s.name, s.up);
    },
    commands: {
      'Reset()': {
        run: async ({ keys }) => {
          const link = await existing(keys);
          const path = rowPath(keys);
          d.ip.requireManaged(link.ifname, path);
          if (!(link.flags ?? []).includes('UP')) return {};
          await d.ip.run(['link', 'set', 'dev', link.ifname, 'down'], path);
          await d.ip.run(['link', 'set', 'dev', link.ifname, 'up'], path);
          return {};
        },
      },
    },
  };
}

/** The device behind an Add's LowerLayers: one Device.Ethernet.Link row (its Name), else 7017/7012. */
async function lowerDevice(model: DataModel, ref: Value | undefined, path: string): Promise<string> {
  if (typeof ref !== 'string' || ref === '') {
    throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give LowerLayers (one Device.Ethernet.Link the agent manages) in the Add: the new interface is a macvlan on it`, { path });
  }
  const m = /^Device\.Ethernet\.Link\.(\d+)\.?$/.exec(ref);
  const binding = model.bindingAt('Device.Ethernet.Link.{i}.');
  const n = m ? Number(m[1]) : undefined;
  const listed = n !== undefined && binding?.list ? (await binding.list([], {})).includes(n) : false;
  const name = listed ? (await binding!.get([n!], {})).Name : undefined;
  if (typeof name !== 'string' || name === '') {
    throw new UspError(ErrorCode.InvalidValue, `${path}LowerLayers: ${JSON.stringify(ref)} names no Device.Ethernet.Link (one Link, e.g. Device.Ethernet.Link.1)`, { path });
  }
  return name;
}
