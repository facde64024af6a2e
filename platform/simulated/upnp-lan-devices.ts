/**
 * The UPnP devices the simulated gateway hears by SSDP on its LAN (192.168.1.0/24): an HP
 * printer, a Synology NAS (a Basic root device with an embedded DLNA MediaServer) and an LG TV (a
 * MediaRenderer). USNs, SERVER strings and description URLs have the forms those products send.
 *
 * Frozen module constants every gateway of a fleet shares: a gateway keeps nothing of them.
 */
import type { Value } from '../../datamodel/value/Value.js';

/** Every device here announces a 30-minute lease and re-announces at half of it (UDA 1.1 1.2.2). */
export const LEASE_S = 1800;
export const REANNOUNCE_S = LEASE_S / 2;

export interface SimUPnPRow {
  /** The parameters besides LastUpdate. */
  values: Readonly<Record<string, Value>>;
  /** Seconds after boot the gateway first heard it. */
  heardAfterS: number;
}

const PRINTER = 'a6f2c1d0-3b4e-4f5a-8c9d-0e1f2a3b4c5d';
const NAS = '73796e6f-6473-6d00-0000-0011322f4e2a';
const NAS_MEDIA = '73796e6f-6473-6d00-0000-0011322f4e2b';
const TV = '2c4e8a10-6f3b-4d7e-9a21-5c3b7e9d1f42';

function row(uuid: string | undefined, usn: string, location: string, server: string, heardAfterS: number, parent?: string): SimUPnPRow {
  const values: Record<string, Value> = { Status: 'LeaseActive', USN: usn, LeaseTime: LEASE_S, Location: location, Server: server, Host: '' };
  if (uuid !== undefined) values.UUID = uuid;
  if (parent !== undefined) values.ParentDevice = parent;
  return Object.freeze({ values: Object.freeze(values), heardAfterS });
}

const PRINTER_AT = 'http://192.168.1.23:8080/upnp/printer.xml';
const PRINTER_SERVER = 'HP-ChaiSOE/1.0 UPnP/1.0 HP-OfficeJet-Pro-9010/1.0';
const NAS_AT = 'http://192.168.1.31:5000/ssdp/desc-DSM-eth0.xml';
const NAS_MEDIA_AT = 'http://192.168.1.31:50001/desc/device.xml';
const NAS_SERVER = 'Synology/DSM/192.168.1.31';
const NAS_MEDIA_SERVER = 'Linux/4.4.302+ UPnP/1.0 Synology-DMS/2.0';
const TV_AT = 'http://192.168.1.44:1527/';
const TV_SERVER = 'WebOS/4.1.0 UPnP/1.0 webOSTV/1.0';

/** RootDevice.1-3. */
export const ROOT_DEVICES: readonly SimUPnPRow[] = Object.freeze([
  row(PRINTER, `uuid:${PRINTER}::urn:schemas-upnp-org:device:Printer:1`, PRINTER_AT, PRINTER_SERVER, 38),
  row(NAS, `uuid:${NAS}::urn:schemas-upnp-org:device:Basic:1`, NAS_AT, NAS_SERVER, 51),
  row(TV, `uuid:${TV}::urn:schemas-upnp-org:device:MediaRenderer:1`, TV_AT, TV_SERVER, 64),
]);

/** Device.1: the NAS's DLNA media server (Synology announces it as its own device UUID). */
export const EMBEDDED_DEVICES: readonly SimUPnPRow[] = Object.freeze([row(NAS_MEDIA, `uuid:${NAS_MEDIA}::urn:schemas-upnp-org:device:MediaServer:1`, NAS_MEDIA_AT, NAS_MEDIA_SERVER, 52)]);

const ROOT = 'Device.UPnP.Discovery.RootDevice.';
const DEVICE = 'Device.UPnP.Discovery.Device.';
const service = (uuid: string, type: string): string => `uuid:${uuid}::urn:schemas-upnp-org:service:${type}`;

/** Service.1-6, each with the row of the device that embeds it. */
export const SERVICES: readonly SimUPnPRow[] = Object.freeze([
  row(undefined, service(PRINTER, 'PrintBasic:1'), PRINTER_AT, PRINTER_SERVER, 38, `${ROOT}1`),
  row(undefined, service(NAS_MEDIA, 'ContentDirectory:1'), NAS_MEDIA_AT, NAS_MEDIA_SERVER, 52, `${DEVICE}1`),
  row(undefined, service(NAS_MEDIA, 'ConnectionManager:1'), NAS_MEDIA_AT, NAS_MEDIA_SERVER, 52, `${DEVICE}1`),
  row(undefined, service(TV, 'RenderingControl:1'), TV_AT, TV_SERVER, 64, `${ROOT}3`),
  row(undefined, service(TV, 'ConnectionManager:1'), TV_AT, TV_SERVER, 64, `${ROOT}3`),
  row(undefined, service(TV, 'AVTransport:1'), TV_AT, TV_SERVER, 64, `${ROOT}3`),
]);
