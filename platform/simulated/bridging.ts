/**
 * Device.Bridging. of the simulated gateway (TR-181 Bridge:1, VLANBridge:1): one 802.1Q bridge,
 * br-lan, whose management port (Port.1, the bridge's own interface under Device.IP.Interface.1.)
 * stacks on the four LAN Ethernet ports and the four Wi-Fi SSIDs. The bridge starts VLAN-unaware
 * in practice (every port untagged in the default VLAN 1, no VLAN rows, as OpenWrt ships br-lan);
 * VLAN.{i} and VLANPort.{i} are configuration tables a Controller fills, kept in the store.
 */
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import type { EthernetPortState } from './ethernet.js';
import { invalidParams, LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';

/** VLANs the bridge can hold (Device.Bridging.MaxVLANEntries). */
export const MAX_VLANS = 64;
/** VLAN 1 is the default VLAN: every port's PVID unless configured otherwise (IEEE 802.1Q). */
const DEFAULT_VID = 1;
/** 802.1Q C-tag and 802.1ad S-tag ethertypes, the TPIDs the switch can match. */
const TPIDS = [0x8100, 0x88a8];

interface PortDef { name: string; lowerLayers: string; lower?: { status(): string; lastChange(): number } }

const BRIDGE = 'Device.Bridging.Bridge.{i}.';
const PORT = `${BRIDGE}Port.{i}.`;
const VLAN = `${BRIDGE}VLAN.{i}.`;
const VLAN_PORT = `${BRIDGE}VLANPort.{i}.`;

/** What the layer above br-lan (Device.Ethernet.Link.1.) needs of the bridge's management port. */
export interface BridgeState {
  /** Port.1 (the bridge's own interface) forwards: the bridge and the port are enabled. */
  managementPortUp(): boolean;
  /** Seconds since the management port or the bridge last changed status. */
  managementPortLastChange(): number;
}

/** Serves Device.Bridging., Bridge.1., its Port, VLAN and VLANPort tables. */
export function registerBridging(ctx: SimContext, ethernet: readonly EthernetPortState[], bsses: readonly BssState[]): BridgeState {
  const { model, store } = ctx;
  const lanPorts: PortDef[] = ethernet.flatMap((p, i) => (p.upstream ? [] : [{
    name: p.name,
    lowerLayers: `Device.Ethernet.Interface.${i + 1}`,
    lower: { status: () => (p.clock.up ? 'Up' : 'Down'), lastChange: () => p.clock.lastChange() },
  }]));
  const wifiPorts: PortDef[] = bsses.map((b, i) => ({
    name: b.name, lowerLayers: `Device.WiFi.SSID.${i + 1}`, lower: { status: () => b.ssidStatus(), lastChange: () => b.ssidLastChange() },
  }));
  const members = [...lanPorts, ...wifiPorts];
  const ports: PortDef[] = [
    { name: 'br-lan', lowerLayers: members.map((_, i) => `Device.Bridging.Bridge.1.Port.${i + 2}`).join(',') },
    ...members,
  ];

  model.register('Device.Bridging.', {
    params: ['MaxBridgeEntries', 'MaxDBridgeEntries', 'MaxQBridgeEntries', 'MaxVLANEntries', 'MaxProviderBridgeEntries', 'MaxFilterEntries'],
    get: () => ({ MaxBridgeEntries: 1, MaxDBridgeEntries: 1, MaxQBridgeEntries: 1, MaxVLANEntries: MAX_VLANS, MaxProviderBridgeEntries: 0, MaxFilterEntries: 0 }),
  });

  const bridgeRows = new WritableRows(ctx, BRIDGE, () => ({ Enable: true, Alias: 'cpe-br-lan', Standard: '802.1Q-2011', AgingTime: 300 }));
  const bridgeClock = new LinkClock(ctx, () => bridgeRows.row([1]).Enable === true, 1_500);
  const one = (keys: InstanceKeys): InstanceKeys => { nth([1], keys[0]); return keys; };
  model.register(BRIDGE, {
    params: ['Enable', 'Status', 'Alias', 'Name', 'Standard', 'AgingTime'],
    list: () => [1],
    get: (keys) => {
      const row = bridgeRows.row(one(keys));
      return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled', Name: 'br-lan' };
    },
    set: (keys, changes) => {
      one(keys);
      if (changes.Enable !== undefined) bridgeClock.setUp(changes.Enable === true);
      bridgeRows.apply(keys, changes);
    },
  });

  const portRows = new WritableRows(ctx, PORT, (keys) => ({
    Enable: true, Alias: `cpe-${portAt(keys).name}`, LowerLayers: portAt(keys).lowerLayers, ManagementPort: keys[1] === 1,
    Type: 'CustomerVLANPort', DefaultUserPriority: 0, PriorityRegeneration: '0,1,2,3,4,5,6,7', PVID: DEFAULT_VID, TPID: 0x8100,
    AcceptableFrameTypes: 'AdmitAll', IngressFiltering: false, PriorityTagging: false,
  }));
  const portClocks = ports.map((_, i) => new LinkClock(ctx, () => portRows.row([1, i + 1]).Enable === true, 1_500));
  const portAt = (keys: InstanceKeys): PortDef => { one(keys); return nth(ports, keys[1]); };
  const portStatus = (keys: InstanceKeys): string => {
    const def = portAt(keys);
    if (!bridgeClock.up || !portClocks[keys[1] - 1].up) return 'Down';
    if (!def.lower) return 'Up'; // the management port is the bridge itself
    return def.lower.status() === 'Up' ? 'Up' : 'LowerLayerDown';
  };
  model.register(PORT, {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'ManagementPort', 'Type', 'DefaultUserPriority',
      'PriorityRegeneration', 'PortState', 'PVID', 'TPID', 'AcceptableFrameTypes', 'IngressFiltering', 'PriorityTagging'],
    list: ([b]) => { one([b]); return ports.map((_, i) => i + 1); },
    get: (keys) => {
      const def = portAt(keys);
      const status = portStatus(keys);
      // Seconds since this port, the bridge or the layer below last changed.
      const lastChange = Math.min(portClocks[keys[1] - 1].lastChange(), bridgeClock.lastChange(), def.lower?.lastChange() ?? Infinity);
      return { ...portRows.row(keys), Status: status, Name: def.name, LastChange: lastChange, PortState: status === 'Up' ? 'Forwarding' : 'Disabled' };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['LowerLayers']); // so the same stacking with a trailing "." is no change
      validatePort(portRows.row(keys), changes, (vid) => vlanIds(keys[0]).includes(vid));
      if (changes.Enable !== undefined) portClocks[keys[1] - 1].setUp(changes.Enable === true);
      portRows.apply(keys, changes);
    },
  });

  const vlanNode = model.requireNode(VLAN);
  const vlanInstances = (bridge: number): number[] => store.instances(vlanNode.tablePathOf([bridge]));
  const vlanIds = (bridge: number): number[] =>
    vlanInstances(bridge).map((n) => Number(store.row(vlanNode.pathOf([bridge, n]))?.VLANID ?? 0));
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
      if (port !== undefined && port !== '' && !(pm && Number(pm[1]) === keys[0] && Number(pm[2]) >= 1 && Number(pm[2]) <= ports.length)) {
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

  return {
    managementPortUp: () => portStatus([1, 1]) === 'Up',
    managementPortLastChange: () => Math.min(portClocks[0].lastChange(), bridgeClock.lastChange()),
  };
}

/** Refuses (7012) port settings the switch cannot take; `vlanExists` says whether a VLAN ID is configured. */
function validatePort(row: Record<string, Value>, changes: Record<string, Value>, vlanExists: (vid: number) => boolean): void {
  const bad: Array<{ param: string; message: string }> = [];
  for (const param of ['LowerLayers', 'ManagementPort'] as const) {
    if (changes[param] !== undefined && changes[param] !== row[param]) bad.push({ param, message: 'fixed by the hardware: the switch ports cannot be re-stacked' });
  }
  const type = changes.Type;
  if (type !== undefined && type !== 'CustomerVLANPort' && type !== 'VLANUnawarePort') {
    bad.push({ param: 'Type', message: 'a customer bridge port: CustomerVLANPort or VLANUnawarePort (no provider bridging)' });
  }
  const pvid = changes.PVID;
  if (pvid !== undefined && pvid !== DEFAULT_VID && !vlanExists(Number(pvid))) {
    bad.push({ param: 'PVID', message: `VLAN ${pvid} is not configured in this bridge (add a VLAN row first)` });
  }
  if (changes.TPID !== undefined && !TPIDS.includes(Number(changes.TPID))) {
    bad.push({ param: 'TPID', message: 'must be 33024 (0x8100, 802.1Q) or 34984 (0x88A8, 802.1ad)' });
  }
  if (bad.length > 0) throw invalidParams(bad);
}
