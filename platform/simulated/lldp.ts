/**
 * Device.LLDP. of the simulated gateway (LLDPBaseline:1): what a 5G FWA gateway's own LLDP agent
 * hears in a small office. The cell site speaks no LLDP to the CPE; the one LLDP speaker is the
 * managed access switch cabled to LAN port 2 (Device.Ethernet.Interface.2), a MikroTik CRS
 * with RouterOS' defaults: chassis ID its MAC, port ID its interface name (ether5), TTL 120 s.
 *
 * It sends no HTIP TLVs, so DeviceInformation and LinkInformation (LLDPRemOrgDefInfo:1) read empty.
 *
 * Fleet cost: the bindings of Device.LLDP. and Discovery. are one pair for every gateway; the
 * Device and Port rows are worked out on each read from the gateway's MAC block and the lan2
 * link, so a gateway keeps no LLDP state, and none at all until the group is first read.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { constantObject } from '../../datamodel/tree/binding-helpers.js';
import { dateTimeOf, type Value } from '../../datamodel/value/Value.js';
import type { EthernetPortState } from './ethernet.js';
import { formatMac, nth, type SimContext } from './SimContext.js';

/** MikroTik's OUI: the switch's chassis MAC is drawn under it. */
const SWITCH_OUI = 0x48a98a;
/** The switch's port the gateway is cabled to, and what RouterOS sends for it. */
const SWITCH_PORT = { PortIDSubtype: 5, PortID: 'ether5', PortDescription: 'ether5', TTL: 120, MACAddressList: '' } as const;
/** The LAN port the switch hangs off (Device.Ethernet.Interface.2). */
const LAN_PORT = 2;

const LLDP = constantObject({});
const DISCOVERY = constantObject({});
/** A MikroTik sends no HTIP TLVs: LLDPRemOrgDefInfo's objects read empty (one binding per fleet). */
const NO_DEVICE_INFORMATION = constantObject({ DeviceCategory: '', ManufacturerOUI: '', ModelName: '', ModelNumber: '' });
const NO_LINK_INFORMATION = constantObject({ InterfaceType: 0, MACForwardingTable: '' });
const NO_VENDOR_SPECIFIC: ObjectBinding = {
  params: ['OrganizationCode', 'InformationType', 'Information'],
  list: () => [],
  get: (keys) => nth([], keys[1]),
};

const DEVICE_PARAMS = ['Interface', 'ChassisIDSubtype', 'ChassisID', 'Host'];
const PORT_PARAMS = ['PortIDSubtype', 'PortID', 'TTL', 'PortDescription', 'LastUpdate', 'MACAddressList'];

/** Registers Device.LLDP. on the simulated gateway, the switch heard while LAN port 2 has link. */
export function registerLldp(ctx: SimContext, ports: readonly EthernetPortState[]): void {
  const heard = new SwitchHeard(ctx, nth(ports, LAN_PORT));
  ctx.model.register('Device.LLDP.', LLDP);
  ctx.model.register('Device.LLDP.Discovery.', DISCOVERY);
  ctx.model.register('Device.LLDP.Discovery.Device.{i}.', new SwitchDevice(heard));
  ctx.model.register('Device.LLDP.Discovery.Device.{i}.Port.{i}.', new SwitchPort(heard));
  ctx.model.register('Device.LLDP.Discovery.Device.{i}.DeviceInformation.', NO_DEVICE_INFORMATION);
  ctx.model.register('Device.LLDP.Discovery.Device.{i}.DeviceInformation.VendorSpecific.{i}.', NO_VENDOR_SPECIFIC);
  ctx.model.register('Device.LLDP.Discovery.Device.{i}.Port.{i}.LinkInformation.', NO_LINK_INFORMATION);
}

/** The one neighbour of a gateway, present while the LAN port it is cabled to has link. */
class SwitchHeard {
  constructor(
    readonly ctx: SimContext,
    readonly lan: EthernetPortState,
  ) {}

  rows(): number[] {
    return this.lan.clock.up ? [1] : [];
  }

  /** Throws 7016 unless every key names the one row while it is there. */
  require(keys: InstanceKeys): void {
    for (const k of keys) nth(this.rows(), k);
  }

  /** The switch's MAC: under MikroTik's OUI, its low 24 bits from the gateway's MAC block (distinct per unit). */
  get mac(): string {
    const low = (Math.floor(this.ctx.identity.macBase / 16) % 0x1000000) ^ 0x5a5a5a;
    return formatMac(SWITCH_OUI * 0x1000000 + low);
  }
}

/** Device.LLDP.Discovery.Device.{i}.: methods shared by a fleet's gateways (prototype), the state the gateway's own. */
class SwitchDevice implements ObjectBinding {
  readonly params = DEVICE_PARAMS;
  constructor(private readonly heard: SwitchHeard) {}

  list(): number[] {
    return this.heard.rows();
  }

  get(keys: InstanceKeys): Record<string, Value> {
    this.heard.require(keys);
    // The switch is infrastructure, not a Hosts client: no Host row names it.
    return { Interface: `Device.Ethernet.Interface.${LAN_PORT}`, ChassisIDSubtype: 4, ChassisID: this.heard.mac, Host: '' };
  }
}

/** Device.LLDP.Discovery.Device.{i}.Port.{i}.: the switch port the gateway is cabled to. */
class SwitchPort implements ObjectBinding {
  readonly params = PORT_PARAMS;
  constructor(private readonly heard: SwitchHeard) {}

  list(): number[] {
    return this.heard.rows();
  }

  get(keys: InstanceKeys): Record<string, Value> {
    this.heard.require(keys);
    // The switch's information has not changed since the link came up: that is when it was last updated.
    return { ...SWITCH_PORT, LastUpdate: dateTimeOf(this.heard.lan.clock.changedAtMs) };
  }
}
