/**
 * Device.LLDP.Discovery.Device.{i}.DeviceInformation. (+ VendorSpecific.{i}.) and
 * Port.{i}.LinkInformation. (TR-181 LLDPRemOrgDefInfo:1), from the HTIP TLVs a neighbour sent
 * (htip-tlvs.ts). A neighbour that sends none reads empty values and no VendorSpecific rows, as
 * TR-181 says. A Device's information is that of its first port that sent any.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { htipDevice, htipLink, type HtipDevice } from './htip-tlvs.js';
import type { LldpNeighbour } from './lldpcli-neighbours.js';

const DEVICE_INFORMATION = 'Device.LLDP.Discovery.Device.{i}.DeviceInformation.';

/** How the HTIP objects reach the rows lldp-discovery.ts numbers. */
export interface LldpRowAccess {
  /** The neighbours (one per port) of a Device row; 7016 when there is no such row. */
  device(keys: InstanceKeys): Promise<LldpNeighbour[]>;
  /** The neighbour of a Port row; 7016 when there is no such row. */
  port(keys: InstanceKeys): Promise<LldpNeighbour>;
}

async function deviceInformation(rows: LldpRowAccess, keys: InstanceKeys): Promise<HtipDevice> {
  const infos = (await rows.device(keys)).map((n) => htipDevice(n.orgTlvs));
  const sent = infos.find((d) => d.categories.length > 0 || d.manufacturerOui !== '' || d.modelName !== '' || d.modelNumber !== '' || d.vendorSpecific.length > 0);
  return sent ?? infos[0]!;
}

export function registerHtipObjects(model: DataModel, rows: LldpRowAccess): void {
  model.register(DEVICE_INFORMATION, {
    params: ['DeviceCategory', 'ManufacturerOUI', 'ModelName', 'ModelNumber'],
    get: async (keys) => {
      const d = await deviceInformation(rows, keys);
      return { DeviceCategory: d.categories.join(','), ManufacturerOUI: d.manufacturerOui, ModelName: d.modelName, ModelNumber: d.modelNumber };
    },
  });
  model.register(`${DEVICE_INFORMATION}VendorSpecific.{i}.`, {
    params: ['OrganizationCode', 'InformationType', 'Information'],
    list: async (parentKeys) => (await deviceInformation(rows, parentKeys)).vendorSpecific.map((_, i) => i + 1),
    get: async (keys) => {
      const v = (await deviceInformation(rows, keys)).vendorSpecific[keys[1]! - 1];
      if (!v) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${DEVICE_INFORMATION.replace('{i}', String(keys[0]))}VendorSpecific.${keys[1]}`);
      return { OrganizationCode: v.organizationCode, InformationType: v.informationType, Information: v.information };
    },
  });
  model.register('Device.LLDP.Discovery.Device.{i}.Port.{i}.LinkInformation.', {
    params: ['InterfaceType', 'MACForwardingTable'],
    get: async (keys) => {
      const l = htipLink((await rows.port(keys)).orgTlvs);
      return { InterfaceType: l.interfaceType, MACForwardingTable: l.macForwardingTable.join(',') };
    },
  });
}
