/**
 * Vendor-specific objects (DataModel.addVendorObject) belong to one data model: several agents in
 * one process (a fleet, or tests) share each schema object's child numbering, and one agent's
 * plugin objects must neither show in nor break another's tree.
 */
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import type { SchemaObject } from '../../../../datamodel/schema/types.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';

const schema = Schema.load();

function vendorTable(name: string): SchemaObject {
  return { path: `Device.DeviceInfo.${name}.{i}.`, multi: true, access: 'readOnly', params: [{ name: 'Speed', type: 'unsignedInt', access: 'readOnly' }], commands: [], events: [] };
}

describe('vendor objects per data model', () => {
  it('two models over one schema add different vendor objects under the same object', () => {
    const a = new DataModel(schema);
    const b = new DataModel(schema);
    a.addVendorObject(vendorTable('X_EXAMPLE-COM_Fan'));
    b.addVendorObject(vendorTable('X_EXAMPLE-COM_Pump'));
    b.addVendorObject(vendorTable('X_EXAMPLE-COM_Valve'));
    const info = (m: DataModel) => m.requireNode('Device.DeviceInfo.');
    expect(info(a).children.has('X_EXAMPLE-COM_Fan')).toBe(true);
    expect(info(a).children.has('X_EXAMPLE-COM_Pump')).toBe(false);
    expect(info(b).children.has('X_EXAMPLE-COM_Fan')).toBe(false);
    expect(info(b).children.get('X_EXAMPLE-COM_Valve')?.supportedPath).toBe('Device.DeviceInfo.X_EXAMPLE-COM_Valve.{i}.');
    expect(a.node('Device.DeviceInfo.X_EXAMPLE-COM_Pump.{i}.')).toBeUndefined();
    // The schema's own children keep their places in both.
    expect(info(a).children.get('FirmwareImage')?.supportedPath).toBe('Device.DeviceInfo.FirmwareImage.{i}.');
    expect(info(b).children.get('FirmwareImage')?.supportedPath).toBe('Device.DeviceInfo.FirmwareImage.{i}.');
    expect(info(b).children.size).toBe(info(a).children.size + 1);
    // A fresh model over the same schema has none of them.
    expect(info(new DataModel(schema)).children.has('X_EXAMPLE-COM_Fan')).toBe(false);
  });

  it('a vendor object served is listed after the schema objects', () => {
    const m = new DataModel(schema);
    m.addVendorObject(vendorTable('X_EXAMPLE-COM_Fan'));
    m.register('Device.DeviceInfo.X_EXAMPLE-COM_Fan.{i}.', { list: () => [1], get: () => ({ Speed: 1 }) });
    m.register('Device.Time.', { get: () => ({}), params: [] });
    const served = [...m.supportedNodes()].map((n) => n.supportedPath);
    expect(served.at(-1)).toBe('Device.DeviceInfo.X_EXAMPLE-COM_Fan.{i}.');
    expect(served).toContain('Device.Time.');
  });
});
