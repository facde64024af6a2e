/** Permission strings and Targets (TR-181 ControllerTrust.Role.{i}.Permission.{i}.). */
import { describe, expect, it } from 'vitest';
import { formatPermissionBits, parsePermissionString } from '../../../../agent/access/permission-string.js';
import { compileTargets, relate } from '../../../../agent/access/Target.js';
import { PERM_N, PERM_R, PERM_X } from '../../../../datamodel/access/AccessView.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../../../datamodel/tree/ModelNode.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';

const model = new DataModel(Schema.load());
const chain = (path: string): ModelNode[] => {
  const out: ModelNode[] = [];
  for (let n: ModelNode | undefined = model.requireNode(path); n; n = n.parent) out.unshift(n);
  return out;
};
const rel = (target: string, node: string) => {
  const [t] = compileTargets(model, target);
  return t && relate(t, chain(node));
};

describe('permission strings', () => {
  it('reads rwxn positionally, "-" or anything else grants nothing', () => {
    expect(parsePermissionString('r-xn')).toBe(PERM_R | PERM_X | PERM_N);
    expect(parsePermissionString('----')).toBe(0);
    expect(parsePermissionString('wr--')).toBe(0);
    expect(parsePermissionString('')).toBe(0);
    expect(formatPermissionBits(parsePermissionString('rw-n'))).toBe('rw-n');
  });
});

describe('Targets', () => {
  it('a partial path covers itself and everything below, with or without the trailing dot', () => {
    for (const t of ['Device.', 'Device', 'Device.LocalAgent', 'Device.LocalAgent.']) {
      expect(rel(t, 'Device.LocalAgent.Controller.{i}.MTP.{i}.'), t).toEqual({ conds: [] });
    }
    expect(rel('Device.LocalAgent.ControllerTrust.', 'Device.LocalAgent.')).toBeUndefined();
    expect(rel('Device.WiFi.', 'Device.LocalAgent.')).toBeUndefined();
  });

  it('a table path without an instance covers every row; *, {i} too; numbers and searches are conditions', () => {
    expect(rel('Device.WiFi.Radio.', 'Device.WiFi.Radio.{i}.')).toEqual({ conds: [] });
    expect(rel('Device.WiFi.Radio.*.', 'Device.WiFi.Radio.{i}.')).toEqual({ conds: [] });
    expect(rel('Device.WiFi.Radio.{i}.', 'Device.WiFi.Radio.{i}.')).toEqual({ conds: [] });
    expect(rel('Device.WiFi.AccessPoint.2.AssociatedDevice.*.', 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.')).toEqual({ conds: [{ level: 0, kind: 'instance', n: 2 }] });
    const s = rel('Device.WiFi.SSID.[Name=="wl0"].', 'Device.WiFi.SSID.{i}.Stats.');
    expect(s?.conds).toMatchObject([{ level: 0, kind: 'search', terms: [{ op: '==', value: 'wl0' }] }]);
  });

  it('parameter, command and event paths cover only that item of that object', () => {
    expect(rel('Device.DeviceInfo.SerialNumber', 'Device.DeviceInfo.')).toEqual({ leaf: { kind: 'param', name: 'SerialNumber' }, conds: [] });
    expect(rel('Device.DeviceInfo.SerialNumber', 'Device.DeviceInfo.MemoryStatus.')).toBeUndefined();
    expect(rel('Device.Reboot()', 'Device.')).toEqual({ leaf: { kind: 'command', name: 'Reboot()' }, conds: [] });
    expect(rel('Device.Boot!', 'Device.')).toEqual({ leaf: { kind: 'event', name: 'Boot!' }, conds: [] });
  });

  it('a comma list gives one target per item; unparsable items and reference following match nothing', () => {
    expect(compileTargets(model, 'Device.WiFi., Device.DeviceInfo.').length).toBe(2);
    expect(compileTargets(model, 'not a path,,Device.[').length).toBe(0);
    expect(rel('Device.WiFi.AccessPoint.1.SSIDReference+.', 'Device.WiFi.SSID.{i}.')).toBeUndefined();
  });
});
