/**
 * LEGACY, off by default: the CoAP sub-objects of the MTP tables, for the obsoleted USP CoAP MTP
 * (TR-369 1.2; mtp/coap/CoapServerMtp.ts). TR-181 deprecated them in 2.15, obsoleted them in 2.17
 * and deleted them in 2.18, so the generated 2.19 schema does not have them. They come back here,
 * hand-written as TR-181 2.17 last defined them and marked obsoleted, only when the composition
 * root asks for legacy CoAP: withLegacyCoapSchema() adds them to the schema, registerCoap() serves
 * them as stored configuration (seeded by the factory-defaults file, read by start-coap.ts).
 *
 * LocalAgent.MTP.{i}.CoAP.IsEncrypted is not among them: it was deleted in 2.17, replaced by
 * EnableEncryption.
 */
import { Schema } from '../../datamodel/schema/Schema.js';
import type { SchemaObject } from '../../datamodel/schema/types.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';

export const AGENT_COAP_PATH = 'Device.LocalAgent.MTP.{i}.CoAP.';
export const CONTROLLER_COAP_PATH = 'Device.LocalAgent.Controller.{i}.MTP.{i}.CoAP.';

/** TR-181 2.17 Device.LocalAgent.MTP.{i}.CoAP. and Controller.{i}.MTP.{i}.CoAP. (CoAPAgent:1, CoAPController:1). */
export const LEGACY_COAP_OBJECTS: readonly SchemaObject[] = [
  {
    path: AGENT_COAP_PATH,
    multi: false,
    access: 'readOnly',
    minEntries: 0,
    maxEntries: 1,
    status: 'obsoleted',
    params: [
      { name: 'Interfaces', access: 'readWrite', type: 'string', list: {}, pathRef: { refType: 'strong', targetParent: '###.IP.Interface.', targetType: 'row' }, status: 'obsoleted' },
      { name: 'Port', access: 'readWrite', type: 'unsignedInt', ranges: [{ min: '1', max: '65535' }], default: '5683', defaultType: 'object', status: 'obsoleted' },
      { name: 'Path', access: 'readWrite', type: 'string', status: 'obsoleted' },
      { name: 'EnableEncryption', access: 'readWrite', type: 'boolean', default: 'true', defaultType: 'object', status: 'obsoleted' },
    ],
    commands: [],
    events: [],
  },
  {
    path: CONTROLLER_COAP_PATH,
    multi: false,
    access: 'readOnly',
    minEntries: 0,
    maxEntries: 1,
    status: 'obsoleted',
    params: [
      { name: 'Host', access: 'readWrite', type: 'string', sizes: [{ max: 256 }], status: 'obsoleted' },
      { name: 'Port', access: 'readWrite', type: 'unsignedInt', ranges: [{ min: '1', max: '65535' }], status: 'obsoleted' },
      { name: 'Path', access: 'readWrite', type: 'string', status: 'obsoleted' },
      { name: 'EnableEncryption', access: 'readWrite', type: 'boolean', default: 'true', defaultType: 'object', status: 'obsoleted' },
    ],
    commands: [],
    events: [],
  },
];

/** One extended schema per base schema (in-process restarts and the fleet simulator reuse theirs). */
const extended = new WeakMap<Schema, Schema>();

/** `schema` with the legacy CoAP objects, each right after its parent table; unchanged if it has them already. */
export function withLegacyCoapSchema(schema: Schema): Schema {
  if (schema.getObject(AGENT_COAP_PATH)) return schema;
  let out = extended.get(schema);
  if (!out) {
    const objects = [...schema.objects()];
    for (const obj of LEGACY_COAP_OBJECTS) {
      const parent = objects.findIndex((o) => o.path === obj.path.replace(/CoAP\.$/, ''));
      if (parent < 0) throw new Error(`schema: no parent object for ${obj.path}`);
      objects.splice(parent + 1, 0, obj);
    }
    out = new Schema({ model: schema.model, objects });
    extended.set(schema, out);
  }
  return out;
}

/** Serves the legacy CoAP objects as stored configuration; false (nothing done) when the schema lacks them. */
export function registerCoap(model: DataModel, store: DataStore): boolean {
  if (!model.node(AGENT_COAP_PATH) || !model.node(CONTROLLER_COAP_PATH)) return false;
  registerStored(model, store, AGENT_COAP_PATH);
  registerStored(model, store, CONTROLLER_COAP_PATH);
  return true;
}
