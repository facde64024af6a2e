/**
 * Device.DNS.SD. of the simulated gateway (DNS_SD:1): what the gateway's mDNS browser hears on
 * its LAN (Device.IP.Interface.1) in a small office: a network printer announcing IPP and a NAS
 * announcing its web admin page, with the TXT keys their firmwares send.
 *
 * The gateway ships with discovery on; Enable and AdvertisedInterfaces are kept in the store.
 * With Enable false, or the LAN not among the AdvertisedInterfaces, the Service table reads
 * empty.
 *
 * Fleet cost: the two services and their text records are frozen module constants every
 * gateway shares; the bindings are built only when the group is first read, and a gateway keeps
 * no DNS-SD state but its stored settings (none until a Controller writes them).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { dateTimeOf, type Value } from '../../datamodel/value/Value.js';
import { LAN_INTERFACE } from './ip.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

const SD = 'Device.DNS.SD.';
const SD_PARAMS: readonly string[] = Object.freeze(['Enable', 'Status', 'AdvertisedInterfaces']);
const SERVICE_PARAMS: readonly string[] = Object.freeze([
  'InstanceName',
  'ApplicationProtocol',
  'TransportProtocol',
  'Domain',
  'Port',
  'Target',
  'Status',
  'LastUpdate',
  'Host',
  'TimeToLive',
  'Priority',
  'Weight',
]);
const TEXT_PARAMS: readonly string[] = Object.freeze(['Key', 'Value']);
const IP_INTERFACE = /^Device\.IP\.Interface\.\d+\.?$/;

interface SimService {
  values: Readonly<Record<string, Value>>;
  /** Seconds after boot the gateway first heard it. */
  heardAfterS: number;
  text: ReadonlyArray<readonly [string, string]>;
}

/** The printer (IPP Everywhere TXT keys, RFC 6763 and PWG 5100.14) and the NAS (its web UI). */
const SERVICES: readonly SimService[] = Object.freeze([
  {
    values: Object.freeze({
      InstanceName: 'Brother HL-L2350DW series',
      ApplicationProtocol: 'ipp',
      TransportProtocol: 'TCP',
      Domain: 'local',
      Port: 631,
      Target: 'BRN3C2AF41B2C3D.local.',
      Status: 'LeaseActive',
      Host: '',
      TimeToLive: 4500,
      Priority: 0,
      Weight: 0,
    }),
    heardAfterS: 42,
    text: Object.freeze([
      ['txtvers', '1'],
      ['qtotal', '1'],
      ['rp', 'ipp/print'],
      ['ty', 'Brother HL-L2350DW series'],
      ['pdl', 'application/octet-stream,image/urf,image/pwg-raster'],
      ['Color', 'F'],
      ['Duplex', 'T'],
      ['UUID', 'e3248000-80ce-11db-8000-3c2af41b2c3d'],
    ] as const),
  },
  {
    values: Object.freeze({
      InstanceName: 'DiskStation',
      ApplicationProtocol: 'http',
      TransportProtocol: 'TCP',
      Domain: 'local',
      Port: 5000,
      Target: 'DiskStation.local.',
      Status: 'LeaseActive',
      Host: '',
      TimeToLive: 4500,
      Priority: 0,
      Weight: 0,
    }),
    heardAfterS: 57,
    text: Object.freeze([
      ['vendor', 'Synology'],
      ['model', 'DS220+'],
      ['version_major', '7'],
      ['version_minor', '2'],
      ['admin_port', '5000'],
      ['path', '/'],
    ] as const),
  },
]);
const SERVICE_NUMBERS: readonly number[] = Object.freeze(SERVICES.map((_, i) => i + 1));
const NONE: readonly number[] = Object.freeze([]);
/** Shipped: discovery on, on the LAN. */
const SHIPPED = Object.freeze({ Enable: true, AdvertisedInterfaces: LAN_INTERFACE });

/** Registers Device.DNS.SD., Service.{i}. and TextRecord.{i}. on the simulated gateway. */
export function registerDnsSd(ctx: SimContext): void {
  const settings = new WritableRows(ctx, SD, SHIPPED);
  const heard = new HeardServices(ctx, settings);
  ctx.model.register(SD, new DnsSdBinding(settings));
  ctx.model.register('Device.DNS.SD.Service.{i}.', new ServiceBinding(heard));
  ctx.model.register('Device.DNS.SD.Service.{i}.TextRecord.{i}.', new TextRecordBinding(heard));
}

/** Which of the shared services the gateway hears now. */
class HeardServices {
  constructor(
    readonly ctx: SimContext,
    private readonly settings: WritableRows,
  ) {}

  rows(): readonly number[] {
    const row = this.settings.row([]);
    if (row.Enable !== true) return NONE;
    const refs = String(row.AdvertisedInterfaces ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\.$/, ''))
      .filter((s) => s !== '');
    // TR-181: no interface named means every LAN interface.
    return refs.length === 0 || refs.includes(LAN_INTERFACE) ? SERVICE_NUMBERS : NONE;
  }

  service(n: number | undefined): SimService {
    nth(this.rows(), n);
    return nth(SERVICES, n);
  }
}

/** Device.DNS.SD.: Enable and AdvertisedInterfaces stored, Status from Enable. */
class DnsSdBinding implements ObjectBinding {
  readonly params = SD_PARAMS;
  constructor(private readonly settings: WritableRows) {}

  get(): Record<string, Value> {
    const row = this.settings.row([]);
    return { ...row, Status: row.Enable === true ? 'Enabled' : 'Disabled' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const refs = changes.AdvertisedInterfaces;
    if (typeof refs === 'string') {
      const bad = refs
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && !IP_INTERFACE.test(s));
      if (bad.length > 0) throw invalidParams([{ param: 'AdvertisedInterfaces', message: `not Device.IP.Interface rows: ${bad.join(', ')}` }]);
    }
    this.settings.apply(keys, changes);
  }
}

class ServiceBinding implements ObjectBinding {
  readonly params = SERVICE_PARAMS;
  constructor(private readonly heard: HeardServices) {}

  list(): number[] {
    return [...this.heard.rows()];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const s = this.heard.service(keys[0]);
    // The services re-announce unchanged: LastUpdate is when the gateway first heard each after boot.
    return { ...s.values, LastUpdate: dateTimeOf(this.heard.ctx.bootedAt + s.heardAfterS * 1000) };
  }
}

class TextRecordBinding implements ObjectBinding {
  readonly params = TEXT_PARAMS;
  constructor(private readonly heard: HeardServices) {}

  list(parentKeys: InstanceKeys): number[] {
    return this.heard.service(parentKeys[0]).text.map((_, i) => i + 1);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const [key, value] = nth(this.heard.service(keys[0]).text, keys[1]);
    return { Key: key, Value: value };
  }
}
