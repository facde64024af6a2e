/**
 * validateSettings on Set: the Alias rule (TR-181 Alias: not empty, starts with a letter) and
 * R-KEY.1 (a non-functional unique key never changes once assigned), against the real schema.
 */
import { describe, expect, it } from 'vitest';
import { validateSettings } from '../../../../agent/handlers/param-settings.js';
import { registerLocalAgent } from '../../../../agent/localagent/register-local-agent.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const model = new DataModel(Schema.load());
registerLocalAgent(model, new DataStore(), { softwareVersion: '0', startedAt: 0, supportedProtocols: 'WebSocket', now: () => new Date(0) });
const sub = model.requireNode('Device.LocalAgent.Subscription.{i}.');

function setOn(current: Record<string, Value>, param: string, value: string, required = false) {
  return validateSettings(sub, [{ param, value, required }], 'set', (_rel, name) => current[name]);
}
const codes = (v: ReturnType<typeof setOn>) => v.paramErrors.map((e) => e.code);

describe('Set of unique keys and Alias', () => {
  it('an Alias never assigned (empty) may be written once, with a value that starts with a letter', () => {
    expect(codes(setOn({ Alias: '' }, 'Alias', 'mine'))).toEqual([]);
    expect(codes(setOn({ Alias: '' }, 'Alias', '7up'))).toEqual([7012]);
    expect(codes(setOn({ Alias: 'cpe-1' }, 'Alias', 'mine'))).toEqual([7013]);
  });

  it('a non-functional key (Recipient+ID) refuses a new value and fails the object even when not required', () => {
    const v = setOn({ ID: 'a' }, 'ID', 'b');
    expect(codes(v)).toEqual([7013]);
    expect(v.requiredFailed).toBe(true);
    expect(codes(setOn({ ID: 'a' }, 'ID', 'a'))).toEqual([]);
  });

  it('a parameter refused for lack of permission makes the failed object 7006, others 7021', () => {
    const denied = validateSettings(
      sub,
      [{ param: 'Enable', value: 'true', required: true }],
      'set',
      () => undefined,
      () => false,
    );
    expect(denied).toMatchObject({ requiredFailed: true, requiredCode: 7006 });
    const bad = validateSettings(
      sub,
      [{ param: 'Enable', value: 'maybe', required: true }],
      'set',
      () => undefined,
      () => true,
    );
    expect(bad).toMatchObject({ requiredFailed: true, requiredCode: 7021 });
  });
});
