/**
 * Device.Bridging. of the simulated gateway (TR-181 Bridge:1, VLANBridge:1): 802.1Q bridges, of
 * which br-lan ships (its management port, Port.1, the bridge's own interface under
 * Device.IP.Interface.1., stacks on the four LAN Ethernet ports and the four Wi-Fi SSIDs) and a
 * Controller may add more or delete any. A bridge starts VLAN-unaware in practice (every port
 * untagged in the default VLAN 1, no VLAN rows, as OpenWrt ships br-lan); VLAN.{i} and
 * VLANPort.{i} are configuration tables a Controller fills, kept in the store. The ports are
 * served by bridge-ports.ts.
 */
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { DEFAULT_VID, registerBridgePorts } from './bridge-ports.js';
import type { EthernetPortState } from './ethernet.js';
import { lanLinkTraffic } from './ethernet-link.js';
import { FactoryTable } from './factory-table.js';
import { EnableClock, invalidParams, type LinkClock, type SimContext, WritableRows } from './SimContext.js';
import type { TrafficProfile } from './traffic.js';
import type { BssState } from './wifi-access-point.js';

/** VLANs a bridge can hold (Device.Bridging.MaxVLANEntries). */
export const MAX_VLANS = 64;
/** Bridges the switch can run (Device.Bridging.MaxBridgeEntries), br-lan included. */
export const MAX_BRIDGES = 4;

const BRIDGE = 'Device.Bridging.Bridge.{i}.';
const VLAN = `${BRIDGE}VLAN.{i}.`;
const VLAN_PORT = `${BRIDGE}VLANPort.{i}.`;

/** What the layer above br-lan (Device.Ethernet.Link.1.) needs of the bridge's management port. */
export interface BridgeState {
  /** br-lan's management port (the bridge's own interface) forwards: the bridge and the port are enabled. */
  managementPortUp(): boolean;
  /** Seconds since the management port or the bridge last changed status. */
  managementPortLastChange(): number;
}

/** Device.Bridging.: the bridge's limits, one binding for every gateway of a fleet (issue 14): nothing in it is the gateway's. */
const BRIDGING: ObjectBinding = {
  params: ['MaxBridgeEntries', 'MaxDBridgeEntries', 'MaxQBridgeEntries', 'MaxVLANEntries', 'MaxProviderBridgeEntries', 'MaxFilterEntries'],
  get: () => ({
    MaxBridgeEntries: MAX_BRIDGES,
    MaxDBridgeEntries: MAX_BRIDGES,
    MaxQBridgeEntries: MAX_BRIDGES,
    MaxVLANEntries: MAX_VLANS,
    MaxProviderBridgeEntries: 0,
    MaxFilterEntries: 0,
  }),
};

/**
 * Serves Device.Bridging., the Bridge table (br-lan as shipped, more a Controller adds), each
 * bridge's STP settings, Port, VLAN and VLANPort tables. `wanTraffic` is the cellular data
 * session's: br-lan's management port counts the same bytes as br-lan's Ethernet.Link.
 */
export function registerBridging(ctx: SimContext, ethernet: readonly EthernetPortState[], bsses: readonly BssState[], wanTraffic: TrafficProfile): BridgeState {
  const { model, store } = ctx;

  model.register('Device.Bridging.', BRIDGING);

  const bridges = new FactoryTable(ctx, BRIDGE, () => [1], MAX_BRIDGES);
  // A bridge a Controller adds starts disabled (the TR-181 default), as an 802.1Q bridge.
  const bridgeRows = new WritableRows(ctx, BRIDGE, (keys) =>
    bridges.isFactory(keys) ? { Enable: true, Alias: 'cpe-br-lan', Standard: '802.1Q-2011', AgingTime: 300 } : { Enable: false, Alias: '', Standard: '802.1Q-2011', AgingTime: 300 },
  );
  const bridgeClocks = new Map<number, LinkClock>();
  const bridgeClock = (b: number): LinkClock => {
    let c = bridgeClocks.get(b);
    if (!c) {
      c = new EnableClock(ctx, bridgeRows, b, bridges.isFactory([b]) ? 1_500 : 0);
      bridgeClocks.set(b, c);
    }
    return c;
  };
  const bridgeName = (b: number): string => (b === 1 ? 'br-lan' : `br-lan${b - 1}`);
  const one = (keys: InstanceKeys): InstanceKeys => {
    bridges.check(keys.slice(0, 1));
    return keys;
  };
  model.register(BRIDGE, {
    params: ['Enable', 'Status', 'Alias', 'Name', 'Standard', 'AgingTime'],
    list: () => bridges.list([]),
    get: (keys) => {
      const row = bridgeRows.row(one(keys));
      return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled', Name: bridgeName(keys[0]) };
    },
    set: (keys, changes) => {
      one(keys);
      if (changes.Enable !== undefined) bridgeClock(keys[0]).setUp(changes.Enable === true);
      bridgeRows.apply(keys, changes);
    },
    add: (_parent, params) => {
      const n = bridges.add([]);
      if (params.Enable === true) bridgeClock(n).setUp(true);
      bridgeRows.apply([n], params);
      return n;
    },
    delete: (keys) => {
      bridges.delete(keys);
      bridgeClocks.delete(keys[0]);
    },
    snapshot: (keys) => bridges.snapshot(keys),
    restore: (keys, snap) => bridges.restore(keys, snap),
  });

  // Spanning tree (IEEE 802.1D-2004 / 802.1w): off, as OpenWrt ships br-lan; the settings are kept.
  const stpRows = new WritableRows(ctx, `${BRIDGE}STP.`, () => ({
    Enable: false,
    Protocol: 'RSTP',
    BridgePriority: 32768,
    HelloTime: 200,
    MaxAge: 2000,
    ForwardingDelay: 15,
  }));
  model.register(`${BRIDGE}STP.`, {
    params: ['Enable', 'Status', 'Protocol', 'BridgePriority', 'HelloTime', 'MaxAge', 'ForwardingDelay'],
    get: (keys) => {
      const row = stpRows.row(one(keys));
      return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled' };
    },
    set: (keys, changes) => {
      const row = { ...stpRows.row(one(keys)), ...changes };
      // IEEE 802.1D-2004 17.14: 2 x (ForwardDelay - 1) >= MaxAge >= 2 x (HelloTime + 1), in seconds.
      const maxAge = Number(row.MaxAge) / 100;
      if (!(2 * (Number(row.ForwardingDelay) - 1) >= maxAge && maxAge >= 2 * (Number(row.HelloTime) / 100 + 1))) {
        throw invalidParams(
          ['MaxAge', 'HelloTime', 'ForwardingDelay']
            .filter((p) => p in changes)
            .map((param) => ({
              param,
              message: 'the timers must satisfy 2 x (ForwardingDelay - 1) >= MaxAge >= 2 x (HelloTime + 1) (IEEE 802.1D-2004 17.14)',
            })),
        );
      }
      stpRows.apply(keys, changes);
    },
  });

  const ports = registerBridgePorts(
    ctx,
    {
      check: (keys) => {
        bridges.check(keys);
      },
      list: () => bridges.list([]),
      name: bridgeName,
      up: (b) => bridgeClock(b).up,
      lastChange: (b) => bridgeClock(b).lastChange(),
      hasVlan: (b, vid) => vlanIds(b).includes(vid),
    },
    ethernet,
    bsses,
    lanLinkTraffic(wanTraffic),
  );

  const vlanNode = model.requireNode(VLAN);
  const vlanInstances = (bridge: number): number[] => store.instances(vlanNode.tablePathOf([bridge]));
  const vlanIds = (bridge: number): number[] => vlanInstances(bridge).map((n) => Number(store.row(vlanNode.pathOf([bridge, n]))?.VLANID ?? 0));
  registerStored(model, store, VLAN, {
    params: ['Enable', 'Alias', 'Name', 'VLANID'],
    // R-ADD.5: a VLAN added without a VLANID gets the lowest one not yet used (never VLAN 1, the default).
    initial: ([bridge]) => {
      const used = new Set(vlanIds(bridge));
      let vid = DEFAULT_VID + 1;
      while (used.has(vid)) vid++;
      return { VLANID: vid };
    },
    validate: (keys, changes) => {
      one(keys);
      if (keys[1] === 0 && vlanInstances(keys[0]).length >= MAX_VLANS) {
        throw new UspError(ErrorCode.ResourcesExceeded, `the bridge holds at most ${MAX_VLANS} VLANs (MaxVLANEntries)`);
      }
      const vid = changes.VLANID;
      if (vid !== undefined && !(Number.isInteger(vid) && Number(vid) >= 1 && Number(vid) <= 4094)) {
        throw invalidParams([{ param: 'VLANID', message: `${vid} is not a VLAN ID (1 to 4094; 0 and 4095 are reserved by IEEE 802.1Q)` }]);
      }
    },
  });

  const vlanPortNode = model.requireNode(VLAN_PORT);
  // Reference values, without the trailing "." (validate strips one a Controller wrote).
  const VLAN_REF = /^Device\.Bridging\.Bridge\.(\d+)\.VLAN\.(\d+)$/;
  const PORT_REF = /^Device\.Bridging\.Bridge\.(\d+)\.Port\.(\d+)$/;
  registerStored(model, store, VLAN_PORT, {
    params: ['Enable', 'Alias', 'VLAN', 'Port', 'Untagged'],
    // A strong reference to a row that was deleted reads as "" (TR-106 §3.2.3).
    live: {
      VLAN: (keys) => {
        const ref = String(store.row(vlanPortNode.pathOf(keys))?.VLAN ?? '');
        const m = VLAN_REF.exec(ref);
        return m && Number(m[1]) === keys[0] && vlanInstances(keys[0]).includes(Number(m[2])) ? ref : '';
      },
      Port: (keys) => {
        const ref = String(store.row(vlanPortNode.pathOf(keys))?.Port ?? '');
        const m = PORT_REF.exec(ref);
        return m && Number(m[1]) === keys[0] && ports.table.list([keys[0]]).includes(Number(m[2])) ? ref : '';
      },
    },
    validate: (keys, changes) => {
      one(keys);
      canonicalizeReferences(changes, ['VLAN', 'Port']);
      const bad: Array<{ param: string; message: string }> = [];
      const { VLAN: vlan, Port: port } = changes;
      const vm = vlan === undefined || vlan === '' ? undefined : VLAN_REF.exec(String(vlan));
      if (vlan !== undefined && vlan !== '' && !(vm && Number(vm[1]) === keys[0] && vlanInstances(keys[0]).includes(Number(vm[2])))) {
        bad.push({ param: 'VLAN', message: `must name a Device.Bridging.Bridge.${keys[0]}.VLAN.{i}. row` });
      }
      const pm = port === undefined || port === '' ? undefined : PORT_REF.exec(String(port));
      if (port !== undefined && port !== '' && !(pm && Number(pm[1]) === keys[0] && ports.table.list([keys[0]]).includes(Number(pm[2])))) {
        bad.push({ param: 'Port', message: `must name a Device.Bridging.Bridge.${keys[0]}.Port.{i}. row` });
      }
      // A new membership (instance 0 while being added) needs both halves of its unique key.
      if (keys[keys.length - 1] === 0) {
        if (!vlan) bad.push({ param: 'VLAN', message: 'a VLANPort needs its VLAN' });
        if (!port) bad.push({ param: 'Port', message: 'a VLANPort needs its Port' });
      }
      if (bad.length > 0) throw invalidParams(bad);
    },
  });

  return { managementPortUp: ports.managementPortUp, managementPortLastChange: ports.managementPortLastChange };
}
