/**
 * Device.UPnP. of the simulated gateway (UPnPDev:1, UPnPDiscBasic:1, UPnPDiscAdv:2).
 *
 * - Device.: the gateway's own UPnP stack. It ships with UPnP on and its IGD on (the NAT's
 *   dynamic port mappings are the IGD's); its USB storage can be shared by a DLNA MediaServer,
 *   off until a Controller turns it on. Capabilities says what it supports: UPnP 1.1, IGD 2,
 *   MediaServer 1, nothing else; turning on a function it lacks is refused (7012). Kept in the
 *   store.
 * - Discovery.: what its SSDP listener hears on the LAN (upnp-lan-devices.ts): the printer, the
 *   NAS with its media server, the TV. With Enable false the listener is off and the tables read
 *   empty. LastUpdate follows the devices' re-announcements (every 15 minutes after first heard).
 *
 * Fleet cost: the rows are frozen module constants; the bindings are built only when the group is
 * first read, and a gateway keeps nothing but the settings a Controller writes.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { constantObject } from '../../datamodel/tree/binding-helpers.js';
import { dateTimeOf, type Value } from '../../datamodel/value/Value.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { EMBEDDED_DEVICES, REANNOUNCE_S, ROOT_DEVICES, SERVICES, type SimUPnPRow } from './upnp-lan-devices.js';

const DEVICE = 'Device.UPnP.Device.';
const FUNCTIONS = ['UPnPMediaServer', 'UPnPMediaRenderer', 'UPnPWLANAccessPoint', 'UPnPQoSDevice', 'UPnPQoSPolicyHolder', 'UPnPIGD'] as const;
const DEVICE_PARAMS: readonly string[] = Object.freeze(['Enable', ...FUNCTIONS]);
/** Supported revisions (0: not supported), as Capabilities reads them. */
const CAPABILITIES = Object.freeze({
  UPnPArchitecture: 1,
  UPnPArchitectureMinorVer: 1,
  UPnPMediaServer: 1,
  UPnPMediaRenderer: 0,
  UPnPWLANAccessPoint: 0,
  UPnPBasicDevice: 0,
  UPnPQoSDevice: 0,
  UPnPQoSPolicyHolder: 0,
  UPnPIGD: 2,
});
const SHIPPED = Object.freeze({
  Enable: true,
  UPnPMediaServer: false,
  UPnPMediaRenderer: false,
  UPnPWLANAccessPoint: false,
  UPnPQoSDevice: false,
  UPnPQoSPolicyHolder: false,
  UPnPIGD: true,
});
const DISCOVERED_PARAMS: readonly string[] = Object.freeze(['Status', 'UUID', 'USN', 'LeaseTime', 'Location', 'Server', 'Host', 'LastUpdate']);
const SERVICE_PARAMS: readonly string[] = Object.freeze(['Status', 'USN', 'LeaseTime', 'Location', 'Server', 'Host', 'LastUpdate', 'ParentDevice']);
const NONE: readonly number[] = Object.freeze([]);
/** Constant objects: one binding for every gateway of a fleet. */
const EMPTY = constantObject({});
const CAPABILITIES_BINDING = constantObject(CAPABILITIES);

/** Registers Device.UPnP. and its Device, Capabilities and Discovery objects on the simulated gateway. */
export function registerUPnPSim(ctx: SimContext): void {
  const settings = new WritableRows(ctx, DEVICE, SHIPPED);
  const m = ctx.model;
  m.register('Device.UPnP.', EMPTY);
  m.register(DEVICE, new UPnPDeviceBinding(settings));
  m.register(`${DEVICE}Capabilities.`, CAPABILITIES_BINDING);
  m.register('Device.UPnP.Discovery.', EMPTY);
  m.register('Device.UPnP.Discovery.RootDevice.{i}.', new HeardRows(ctx, settings, ROOT_DEVICES, DISCOVERED_PARAMS));
  m.register('Device.UPnP.Discovery.Device.{i}.', new HeardRows(ctx, settings, EMBEDDED_DEVICES, DISCOVERED_PARAMS));
  m.register('Device.UPnP.Discovery.Service.{i}.', new HeardRows(ctx, settings, SERVICES, SERVICE_PARAMS));
}

/** Device.UPnP.Device.: stored; a function Capabilities gives revision 0 cannot be turned on. */
class UPnPDeviceBinding implements ObjectBinding {
  readonly params = DEVICE_PARAMS;
  constructor(private readonly settings: WritableRows) {}

  get(): Record<string, Value> {
    return this.settings.row([]);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const bad = FUNCTIONS.filter((f) => changes[f] === true && CAPABILITIES[f] === 0).map((param) => ({ param, message: 'this gateway does not implement that UPnP device (Capabilities reads 0)' }));
    if (bad.length > 0) throw invalidParams(bad);
    this.settings.apply(keys, changes);
  }
}

/** One Discovery table: every shared row while UPnP is on, none while off. */
class HeardRows implements ObjectBinding {
  constructor(
    private readonly ctx: SimContext,
    private readonly settings: WritableRows,
    private readonly rows: readonly SimUPnPRow[],
    readonly params: readonly string[],
  ) {}

  list(): number[] {
    return this.settings.row([]).Enable === true ? this.rows.map((_, i) => i + 1) : [...NONE];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    nth(this.list(), keys[0]);
    const r = nth(this.rows, keys[0]);
    const up = this.ctx.upTime();
    // Heard first at heardAfterS (or at once, read sooner after boot), then at each re-announcement.
    const first = Math.min(r.heardAfterS, up);
    const heard = first + Math.floor((up - first) / REANNOUNCE_S) * REANNOUNCE_S;
    return { ...r.values, LastUpdate: dateTimeOf(this.ctx.bootedAt + heard * 1000) };
  }
}
