/**
 * Device.UPnP.Device. and .Capabilities. (TR-181 UPnPDev:1) where the gateway's own UPnP device
 * is miniupnpd (Linux: the agent runs it; OpenWrt: the miniupnpd package's UCI `upnpd`).
 *
 * miniupnpd is an Internet Gateway Device and nothing else: Capabilities reads UPnP 1.1 and the IGD
 * revision it announces, 0 for every other device type, and a Set of one of those to true is
 * refused (7012) rather than kept as a setting nothing acts on. Setting them false is accepted
 * (it is their value).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

export const UPNP_DEVICE = 'Device.UPnP.Device.';
export const UPNP_CAPABILITIES = 'Device.UPnP.Device.Capabilities.';

/** The device types of Device.UPnP.Device. miniupnpd cannot be (Capabilities 0). */
export const NOT_IGD_FUNCTIONS = Object.freeze([
  'UPnPMediaServer',
  'UPnPMediaRenderer',
  'UPnPWLANAccessPoint',
  'UPnPQoSDevice',
  'UPnPQoSPolicyHolder',
  'UPnPDMBasicMgmt',
  'UPnPDMConfigurationMgmt',
  'UPnPDMSoftwareMgmt',
] as const);

/** Every parameter of Device.UPnP.Device. */
export const UPNP_DEVICE_PARAMS: readonly string[] = Object.freeze(['Enable', 'UPnPIGD', ...NOT_IGD_FUNCTIONS]);

/** The IGD revisions miniupnpd announces: 2 (InternetGatewayDevice:2), or 1 when forced to v1 descriptions. */
export type IgdRevision = 1 | 2;

/** Device.UPnP.Device.Capabilities. of a miniupnpd announcing IGD revision `igd`. */
export function igdCapabilities(igd: IgdRevision): Record<string, Value> {
  return {
    // miniupnpd 2.x speaks UPnP Device Architecture 1.1 (its SERVER header: "UPnP/1.1 MiniUPnPd/2.x").
    UPnPArchitecture: 1,
    UPnPArchitectureMinorVer: 1,
    UPnPMediaServer: 0,
    UPnPMediaRenderer: 0,
    UPnPWLANAccessPoint: 0,
    UPnPBasicDevice: 0,
    UPnPQoSDevice: 0,
    UPnPQoSPolicyHolder: 0,
    UPnPIGD: igd,
    UPnPDMBasicMgmt: 0,
    UPnPDMConfigurationMgmt: 0,
    UPnPDMSoftwareMgmt: 0,
  };
}

/** The values of Device.UPnP.Device. for the two switches miniupnpd has; the other types read false. */
export function upnpDeviceValues(enable: boolean, igd: boolean): Record<string, Value> {
  const out: Record<string, Value> = { Enable: enable, UPnPIGD: igd };
  for (const f of NOT_IGD_FUNCTIONS) out[f] = false;
  return out;
}

/** 7012 naming each device type of `changes` set true that miniupnpd cannot be; nothing when there is none. */
export function refuseNotIgd(changes: Readonly<Record<string, Value>>): void {
  const bad = NOT_IGD_FUNCTIONS.filter((f) => changes[f] === true).map((param) => ({
    param,
    message: 'the UPnP device of this gateway is miniupnpd, an Internet Gateway Device only (Capabilities reads 0)',
  }));
  if (bad.length === 0) return;
  throw new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), { paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })) });
}
