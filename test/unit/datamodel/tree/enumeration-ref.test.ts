/** TR-106 enumerationRef on the real schema: reference paths resolved, values checked (7012). */
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { checkEnumerationRef, locateEnumerationTarget } from '../../../../datamodel/tree/enumeration-ref.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { UspError } from '../../../../datamodel/UspError.js';

const schema = Schema.load();

/** A model serving IPsec (root-relative targets), LocalAgent MTP ("#.") and Controller MTP ("##."). */
function model(lists: { ike?: string; protocols?: string } = {}): DataModel {
  const m = new DataModel(schema);
  const row = (values: Record<string, Value>) => ({ list: () => [1], get: () => ({ ...values }), set: () => undefined });
  m.register('Device.IPsec.', { params: ['IKEv2SupportedEncryptionAlgorithms'], get: () => ({ IKEv2SupportedEncryptionAlgorithms: lists.ike ?? 'AES-CBC,AES-GCM' }) });
  m.register('Device.IPsec.Profile.{i}.', { params: ['IKEv2AllowedEncryptionAlgorithms'], ...row({ IKEv2AllowedEncryptionAlgorithms: '' }) });
  m.register('Device.LocalAgent.', { params: ['SupportedProtocols'], get: () => ({ SupportedProtocols: lists.protocols ?? 'WebSocket,MQTT' }) });
  m.register('Device.LocalAgent.MTP.{i}.', { params: ['Protocol'], ...row({ Protocol: 'WebSocket' }) });
  m.register('Device.LocalAgent.Controller.{i}.', { params: ['Enable'], ...row({ Enable: true }) });
  m.register('Device.LocalAgent.Controller.{i}.MTP.{i}.', { params: ['Protocol'], ...row({ Protocol: 'WebSocket' }) });
  return m;
}

async function check(m: DataModel, node: string, keys: number[], param: string, value: Value): Promise<string | undefined> {
  const n = m.requireNode(node);
  try {
    await checkEnumerationRef(m, n, keys, n.params.get(param)!, value, {});
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(UspError);
    expect((e as UspError).code).toBe(7012);
    return (e as Error).message;
  }
}

describe('locateEnumerationTarget', () => {
  it('"#." climbs one object per "#" (a row is one), "." starts at the root', () => {
    const m = model();
    const at = (node: string, ref: string) => {
      const t = locateEnumerationTarget(m.requireNode(node), ref);
      return t && `${t.node.supportedPath}${t.param}`;
    };
    expect(at('Device.LocalAgent.MTP.{i}.', '#.SupportedProtocols')).toBe('Device.LocalAgent.SupportedProtocols');
    expect(at('Device.LocalAgent.Controller.{i}.MTP.{i}.', '##.SupportedProtocols')).toBe('Device.LocalAgent.SupportedProtocols');
    // TR-106: a path starting with "." is relative to the root object (it was looked up under the row).
    expect(at('Device.IPsec.Profile.{i}.', '.IPsec.IKEv2SupportedEncryptionAlgorithms')).toBe('Device.IPsec.IKEv2SupportedEncryptionAlgorithms');
    expect(at('Device.IPsec.Profile.{i}.', 'Device.IPsec.IKEv2SupportedEncryptionAlgorithms')).toBe('Device.IPsec.IKEv2SupportedEncryptionAlgorithms');
  });
});

describe('checkEnumerationRef', () => {
  it('takes the listed values (case-sensitive), refuses others naming the list', async () => {
    const m = model();
    expect(await check(m, 'Device.LocalAgent.MTP.{i}.', [1], 'Protocol', 'MQTT')).toBeUndefined();
    expect(await check(m, 'Device.LocalAgent.MTP.{i}.', [1], 'Protocol', 'mqtt')).toBe(
      '"mqtt" is not one of Device.LocalAgent.SupportedProtocols ("WebSocket", "MQTT"); use one of those (names are case-sensitive)',
    );
    expect(await check(m, 'Device.LocalAgent.Controller.{i}.MTP.{i}.', [1, 1], 'Protocol', 'UDS')).toMatch(/^"UDS" is not one of Device\.LocalAgent\.SupportedProtocols/);
  });

  it('checks a list item by item against a root-relative target', async () => {
    const m = model();
    const p = 'Device.IPsec.Profile.{i}.';
    expect(await check(m, p, [1], 'IKEv2AllowedEncryptionAlgorithms', 'AES-GCM,AES-CBC')).toBeUndefined();
    expect(await check(m, p, [1], 'IKEv2AllowedEncryptionAlgorithms', 'AES-GCM,3DES')).toMatch(/^"3DES" is not one of Device\.IPsec\.IKEv2SupportedEncryptionAlgorithms/);
    // An empty list names no item.
    expect(await check(m, p, [1], 'IKEv2AllowedEncryptionAlgorithms', '')).toBeUndefined();
  });

  it('an empty value only where the referenced list is empty (or nullValue is "")', async () => {
    expect(await check(model(), 'Device.LocalAgent.MTP.{i}.', [1], 'Protocol', '')).toMatch(/^"" is not one of/);
    expect(await check(model({ protocols: '' }), 'Device.LocalAgent.MTP.{i}.', [1], 'Protocol', '')).toBeUndefined();
    expect(await check(model({ protocols: '' }), 'Device.LocalAgent.MTP.{i}.', [1], 'Protocol', 'WebSocket')).toMatch(/^"WebSocket" is not one of Device\.LocalAgent\.SupportedProtocols \(\)/);
  });

  it('on Add (parent keys only) a target above the new row is still checked', async () => {
    const m = model();
    // Controller.{i}.MTP.{i} added under Controller.1: keys [1], the target needs none: checked.
    expect(await check(m, 'Device.LocalAgent.Controller.{i}.MTP.{i}.', [1], 'Protocol', 'X')).toMatch(/is not one of/);
  });
});
