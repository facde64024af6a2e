/**
 * Device.GatewayInfo. (TR-181 GatewayInfo:1): the Internet gateway this device is connected to,
 * as TR-111 (Part 1) lets a device learn it: the gateway's DHCPv4 server answers with option 125
 * (RFC 3925 Vendor-Identifying Vendor-Specific Information) holding, under enterprise number
 * 3561 (the Broadband Forum), sub-options 4 (GatewayManufacturerOUI), 5 (GatewaySerialNumber)
 * and 6 (GatewayProductClass). On Linux the agent's own udhcpc (`--dhcp-client udhcpc`) asks for
 * option 125 and records what it got (platform/linux/dhcpv4-client.ts); on OpenWrt the package's
 * udhcpc hook records what netifd's udhcpc got (platform/openwrt/gateway-info.ts). The values are
 * those of the first bound lease whose server sent them, else empty (no gateway, or one that does
 * not announce itself).
 */
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { Value } from '../datamodel/value/Value.js';

/** The DHCPv4 option TR-111 carries the gateway's identity in. */
export const VIVSO_TAG = 125;
/** IANA enterprise number of the Broadband Forum (formerly DSL Forum), TR-111's. */
const BBF_ENTERPRISE = 3561;
const SUBOPTIONS: Readonly<Record<number, 'ManufacturerOUI' | 'SerialNumber' | 'ProductClass'>> = { 4: 'ManufacturerOUI', 5: 'SerialNumber', 6: 'ProductClass' };
/** TR-181 sizes: ManufacturerOUI string(6) (hex digits), SerialNumber and ProductClass string(64). */
const MAX_LEN: Readonly<Record<string, number>> = { ManufacturerOUI: 6, SerialNumber: 64, ProductClass: 64 };

export interface GatewayIdentity {
  ManufacturerOUI: string;
  ProductClass: string;
  SerialNumber: string;
}

const EMPTY: GatewayIdentity = { ManufacturerOUI: '', ProductClass: '', SerialNumber: '' };

/**
 * The gateway's identity in an option 125 payload (hex, as udhcpc records an option it does not
 * decode); empty values for what is absent, malformed, too long or not printable.
 */
export function gatewayIdentity(hex: string | undefined): GatewayIdentity {
  const out: GatewayIdentity = { ...EMPTY };
  if (!hex || !/^([0-9a-fA-F]{2})+$/.test(hex)) return out;
  const b = Buffer.from(hex, 'hex');
  // RFC 3925: repeated { enterprise-number (4), data-len (1), data (sub-options) }.
  for (let i = 0; i + 5 <= b.length;) {
    const enterprise = b.readUInt32BE(i);
    const len = b[i + 4]!;
    const data = b.subarray(i + 5, i + 5 + len);
    i += 5 + len;
    if (data.length < len) break;
    if (enterprise !== BBF_ENTERPRISE) continue;
    for (let j = 0; j + 2 <= data.length;) {
      const code = data[j]!;
      const n = data[j + 1]!;
      const value = data.subarray(j + 2, j + 2 + n);
      j += 2 + n;
      const name = SUBOPTIONS[code];
      if (!name || value.length < n) continue;
      const text = value.toString('latin1');
      if (!/^[\x20-\x7e]*$/.test(text) || text.length > MAX_LEN[name]!) continue;
      if (name === 'ManufacturerOUI' && !/^[0-9A-Fa-f]{6}$/.test(text)) continue;
      out[name] = name === 'ManufacturerOUI' ? text.toUpperCase() : text;
    }
  }
  return out;
}

/**
 * ManagementProtocol for an identity: "CWMP" once option 125 named a gateway (TR-181: found
 * through the DHCP options, and no USP DNS-SRV details found; the agent makes no USP DNS-SRV
 * lookup, so never "USP"), else "" (none detected yet). EndpointID, a USP gateway's, stays "".
 */
export function managementProtocol(id: GatewayIdentity): string {
  return id.ManufacturerOUI !== '' || id.ProductClass !== '' || id.SerialNumber !== '' ? 'CWMP' : '';
}

/** Serves Device.GatewayInfo. from `option125()`: the recorded option 125 of the bound lease, if any. */
export function registerGatewayInfo(model: DataModel, option125: () => string | undefined | Promise<string | undefined>): void {
  model.register('Device.GatewayInfo.', {
    params: ['ManufacturerOUI', 'ProductClass', 'SerialNumber', 'ManagementProtocol', 'EndpointID'],
    get: async (): Promise<Record<string, Value>> => {
      const id = gatewayIdentity(await option125());
      return { ...id, ManagementProtocol: managementProtocol(id), EndpointID: '' };
    },
  });
}
