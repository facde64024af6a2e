/**
 * Device.LLDP. (TR-181 LLDPBaseline:1): Discovery.Device.{i} per remote chassis and its
 * Port.{i} per remote port, from the neighbours an LLDP agent learnt (lldpcli on Linux and
 * OpenWrt, a fixed switch on the simulated gateway). The platform gives the neighbours and the
 * path of the local interface each was heard on; this file numbers and serves the rows.
 *
 * - Device rows are keyed by (ChassisIDSubtype, ChassisID), TR-181's unique key; a chassis
 *   heard on two local ports is one Device with two Ports, its Interface the first one's.
 * - Port rows are keyed by (PortIDSubtype, PortID) within their Device.
 * - LastUpdate: lldpd keeps when a neighbour's information last changed (a repeated identical
 *   LLDPDU restarts its TTL but not that time), so that is the time served.
 * - MACAddressList: "" (the HTIP MAC address list TLV is not decoded).
 * - LinkInformation, DeviceInformation (+ VendorSpecific.{i}): the HTIP TLVs (lldp-htip-objects.ts).
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { cachedSource, constantObject } from '../../datamodel/tree/binding-helpers.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { dateTimeOf } from '../../datamodel/value/Value.js';
import type { HostLookup, LldpIdentity } from './lldp-hosts.js';
import { registerHtipObjects } from './lldp-htip-objects.js';
import type { LldpNeighbour } from './lldpcli-neighbours.js';

const DEVICE = 'Device.LLDP.Discovery.Device.{i}.';
const PORT = 'Device.LLDP.Discovery.Device.{i}.Port.{i}.';
const DEVICE_PARAMS = ['Interface', 'ChassisIDSubtype', 'ChassisID', 'Host'];
const PORT_PARAMS = ['PortIDSubtype', 'PortID', 'TTL', 'PortDescription', 'LastUpdate', 'MACAddressList'];
/** lldpd prints MACs as aa:bb:cc:dd:ee:ff. */
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** IEEE 802.1AB: chassis subtype 4 and port subtype 3 are MAC addresses, chassis 5 and port 4 network addresses. */
const CHASSIS_MAC = 4;
const CHASSIS_ADDRESS = 5;
const PORT_MAC = 3;

/** Where the platform's neighbours come from. */
export interface LldpSource {
  /** The neighbours now ([] when the LLDP agent does not answer: the platform says why in its log). */
  neighbours(): Promise<readonly LldpNeighbour[]>;
  /** The reference (no trailing dot) of the local interface a neighbour was heard on, "" when it has no row. */
  interfacePath(name: string): Promise<string>;
  /** The Host list of a neighbour (lldp-hosts.ts). */
  hosts: HostLookup;
  /** Wall clock, ms since the epoch. */
  now: () => number;
  /** How long one read of the neighbours serves a Get, ms. */
  cacheMs: number;
}

interface DeviceRow {
  first: LldpNeighbour;
  ports: Map<string, LldpNeighbour>;
}

/** Registers Device.LLDP., Discovery., Discovery.Device.{i}. and its Port.{i}. on `model`. */
export function registerLldpDiscovery(model: DataModel, src: LldpSource): void {
  const devices = new InstanceMap();
  /** Port numbers per Device key: kept while the Device is listed, dropped with it. */
  const ports = new Map<string, InstanceMap>();
  const read = cachedSource(
    async () => {
      const byChassis = new Map<string, DeviceRow>();
      for (const n of await src.neighbours()) {
        const key = `${n.chassisIdSubtype}|${n.chassisId}`;
        const row = byChassis.get(key) ?? { first: n, ports: new Map<string, LldpNeighbour>() };
        row.ports.set(`${n.portIdSubtype}|${n.portId}`, n);
        byChassis.set(key, row);
      }
      const numbers = devices.list(byChassis.keys());
      for (const key of [...ports.keys()]) if (!byChassis.has(key)) ports.delete(key);
      return { numbers, byChassis, at: src.now() };
    },
    { maxAgeMs: src.cacheMs, now: src.now },
  );
  const deviceOf = async (keys: InstanceKeys) => {
    const snapshot = await read.read();
    const key = devices.keyOf(keys[0]);
    const row = key === undefined ? undefined : snapshot.byChassis.get(key);
    if (!row || key === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${DEVICE.replace('{i}', String(keys[0]))}`);
    let numbers = ports.get(key);
    if (!numbers) ports.set(key, (numbers = new InstanceMap()));
    return { row, numbers, at: snapshot.at };
  };

  model.register('Device.LLDP.', constantObject({}));
  model.register('Device.LLDP.Discovery.', constantObject({}));
  model.register(DEVICE, {
    params: DEVICE_PARAMS,
    list: async () => (await read.read()).numbers,
    get: async (keys, ctx) => {
      const { row } = await deviceOf(keys);
      const n = row.first;
      return {
        Interface: await src.interfacePath(n.localInterface),
        ChassisIDSubtype: n.chassisIdSubtype,
        ChassisID: n.chassisId,
        Host: await src.hosts(identityOf(row), ctx),
      };
    },
  });
  const portOf = async (keys: InstanceKeys) => {
    const { row, numbers, at } = await deviceOf(keys);
    numbers.list(row.ports.keys());
    const key = numbers.keyOf(keys[1]);
    const p = key === undefined ? undefined : row.ports.get(key);
    if (!p) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.LLDP.Discovery.Device.${keys[0]}.Port.${keys[1]}`);
    return { port: p, at };
  };
  model.register(PORT, {
    params: PORT_PARAMS,
    list: async (parentKeys) => {
      const { row, numbers } = await deviceOf(parentKeys);
      return numbers.list(row.ports.keys());
    },
    get: async (keys) => {
      const { port: p, at } = await portOf(keys);
      return {
        PortIDSubtype: p.portIdSubtype,
        PortID: p.portId,
        TTL: p.ttl,
        PortDescription: p.portDescription,
        LastUpdate: dateTimeOf(at - p.ageS * 1000),
        MACAddressList: '',
      };
    },
  });
  registerHtipObjects(model, {
    device: async (keys) => [...(await deviceOf(keys)).row.ports.values()],
    port: async (keys) => (await portOf(keys)).port,
  });
}

/** The MACs and addresses a Device row's neighbours name themselves by. */
function identityOf(row: DeviceRow): LldpIdentity {
  const macs = new Set<string>();
  const addresses = new Set<string>();
  for (const n of row.ports.values()) {
    if (n.chassisIdSubtype === CHASSIS_MAC && MAC.test(n.chassisId.toLowerCase())) macs.add(n.chassisId.toLowerCase());
    if (n.portIdSubtype === PORT_MAC && MAC.test(n.portId.toLowerCase())) macs.add(n.portId.toLowerCase());
    if (n.chassisIdSubtype === CHASSIS_ADDRESS) addresses.add(n.chassisId);
    for (const a of n.managementAddresses) addresses.add(a);
  }
  return { macs, addresses };
}
