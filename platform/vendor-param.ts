/**
 * Vendor-specific parameters (TR-106 §3.3: `X_<VENDOR>_<Name>`, VENDOR an OUI or a domain name
 * with dots as hyphens) on a schema object. The TR-181 schema cannot list them, so the data
 * model is told their definitions at registration (DataModel.register's `vendorParams`).
 */
import type { SchemaParam } from '../datamodel/schema/types.js';
import type { ObjectBinding } from '../datamodel/tree/binding.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';

/** "X_EXAMPLE-COM_" or "X_0A5F1E_". */
export const VENDOR_PREFIX_RE = /^X_[0-9A-Za-z-]+_$/;

/**
 * Device.Cellular.Interface.{i}.X_<VENDOR>_SINR, which TR-181 2.19 lacks (the modem's SS-SINR on
 * NR, RS-SINR on LTE): whole dB like RSRP/RSRQ. Served by every platform with a modem when the
 * agent is given a vendor prefix; without one no vendor parameter is served.
 */
export function sinrParam(vendorPrefix: string | undefined): SchemaParam | undefined {
  return vendorPrefix === undefined ? undefined : { name: `${vendorPrefix}SINR`, access: 'readOnly', type: 'int', units: 'dB' };
}

/** Registers `binding` with `vendorParams` and returns the vendor names the model serves. */
export function registerWithVendorParams(model: DataModel, supportedPath: string, binding: ObjectBinding, vendorParams: readonly SchemaParam[]): ReadonlySet<string> {
  const node = model.register(supportedPath, binding, { vendorParams });
  return new Set(vendorParams.map((p) => p.name).filter((n) => node.params.get(n) !== undefined));
}
