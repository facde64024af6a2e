/**
 * What "met" means (agent/profiles/check-profiles.ts, TR-106 Annex A requirements against a
 * GetSupportedDM answer): each kind of requirement, met and missed.
 */
import { describe, expect, it } from 'vitest';
import { checkProfile, checkProfiles, servedModel } from '../../../../agent/profiles/check-profiles.js';
import type { SupportedObjectResult } from '../../../../agent/codec/types.js';
import type { ProfileObject, SchemaProfile } from '../../../../datamodel/schema/profile-types.js';

const obj = (path: string, more: Partial<SupportedObjectResult> = {}): SupportedObjectResult => ({
  supportedObjPath: path,
  access: 'OBJ_READ_ONLY',
  isMultiInstance: path.endsWith('{i}.'),
  supportedParams: [],
  supportedCommands: [],
  supportedEvents: [],
  ...more,
});
const param = (paramName: string, writable = false) => ({
  paramName,
  access: writable ? ('PARAM_READ_WRITE' as const) : ('PARAM_READ_ONLY' as const),
  valueType: 'PARAM_STRING' as const,
  valueChange: 'VALUE_CHANGE_ALLOWED' as const,
});
const req = (path: string, requirement: ProfileObject['requirement'], more: Partial<ProfileObject> = {}): ProfileObject => ({ path, requirement, params: [], commands: [], events: [], ...more });
const profile = (...objects: ProfileObject[]): SchemaProfile => ({ name: 'Test:1', version: '2.19', objects });

const served = servedModel([
  obj('Device.', {
    supportedCommands: [{ commandName: 'Reboot()', inputArgNames: [], outputArgNames: [], commandType: 'CMD_ASYNC' }],
    supportedEvents: [{ eventName: 'Boot!', argNames: ['Cause', 'CommandKey'] }],
  }),
  obj('Device.X.', { supportedParams: [param('Name'), param('Enable', true)] }),
  obj('Device.X.Table.{i}.', { access: 'OBJ_ADD_DELETE', supportedParams: [param('Alias', true)] }),
  obj('Device.X.Fixed.{i}.', { supportedParams: [param('Name')] }),
  obj('Device.X.AddOnly.{i}.', { access: 'OBJ_ADD_ONLY' }),
]);

describe('checkProfile', () => {
  it('meets a profile whose every object, parameter, command, argument and event is served as required', () => {
    const p = profile(
      req('Device.', 'present', { commands: [{ name: 'Reboot()', input: [], output: [] }], events: [{ name: 'Boot!', args: ['Cause'] }] }),
      req('Device.X.', 'present', {
        params: [
          { name: 'Name', requirement: 'readOnly' },
          { name: 'Enable', requirement: 'readWrite' },
        ],
      }),
      req('Device.X.Table.{i}.', 'createDelete', { params: [{ name: 'Alias', requirement: 'writeOnceReadOnly' }] }),
      req('Device.X.AddOnly.{i}.', 'create'),
      req('Device.Y.', 'notSpecified'),
    );
    expect(checkProfile(p, served)).toMatchObject({ name: 'Test:1', met: true, missing: [], objectsServed: 4, objectsNamed: 5 });
  });

  it('names each miss: object, table access, parameter, read-only parameter, command, argument, event', () => {
    const p = profile(
      req('Device.Missing.', 'present'),
      req('Device.X.Fixed.{i}.', 'createDelete', {
        params: [
          { name: 'Name', requirement: 'readWrite' },
          { name: 'Gone', requirement: 'readOnly' },
        ],
      }),
      req('Device.X.AddOnly.{i}.', 'createDelete'),
      req('Device.', 'present', {
        commands: [
          { name: 'Reboot()', input: ['Delay'], output: [] },
          { name: 'FactoryReset()', input: [], output: [] },
        ],
        events: [
          { name: 'Boot!', args: ['ParameterMap'] },
          { name: 'Wakeup!', args: [] },
        ],
      }),
      req('Device.Y.', 'notSpecified', { params: [{ name: 'P', requirement: 'readOnly' }] }),
    );
    const r = checkProfile(p, served);
    expect(r.met).toBe(false);
    expect(r.missing).toEqual([
      { kind: 'object', path: 'Device.Missing.', detail: 'not served; present required' },
      { kind: 'table-access', path: 'Device.X.Fixed.{i}.', detail: 'a Controller can neither add nor delete rows; createDelete required' },
      { kind: 'param-read-only', path: 'Device.X.Fixed.{i}.Name', detail: 'served read-only; readWrite required' },
      { kind: 'param', path: 'Device.X.Fixed.{i}.Gone', detail: 'not served; readOnly required' },
      { kind: 'table-access', path: 'Device.X.AddOnly.{i}.', detail: 'a Controller cannot delete rows; createDelete required' },
      { kind: 'command-argument', path: 'Device.Reboot()', detail: 'lacks input Delay' },
      { kind: 'command', path: 'Device.FactoryReset()', detail: 'not served' },
      { kind: 'event-argument', path: 'Device.Boot!', detail: 'lacks argument ParameterMap' },
      { kind: 'event', path: 'Device.Wakeup!', detail: 'not served' },
      // notSpecified asks nothing of the object itself, but what is listed under it must be served.
      { kind: 'object', path: 'Device.Y.', detail: 'not served; notSpecified required' },
    ]);
  });

  it('lists met profiles in the order given, with every result', () => {
    const ok = { ...profile(req('Device.X.', 'present')), name: 'Ok:1' };
    const no = { ...profile(req('Device.Nope.', 'present')), name: 'No:1', status: 'deprecated' as const };
    const report = checkProfiles('Device:2.19', [no, ok], served);
    expect(report.met).toEqual(['Ok:1']);
    expect(report.results.map((r) => [r.name, r.met, r.status])).toEqual([
      ['No:1', false, 'deprecated'],
      ['Ok:1', true, undefined],
    ]);
  });
});

describe('the generated profiles', () => {
  it('are all met by a model serving every schema object with every right: no profile asks for what TR-181 does not define', async () => {
    const { Schema } = await import('../../../../datamodel/schema/Schema.js');
    const { loadProfiles } = await import('../../../../agent/profiles/profiles-file.js');
    const everything = Schema.load()
      .objects()
      .map((o) =>
        obj(o.path, {
          access: o.multi ? 'OBJ_ADD_DELETE' : 'OBJ_READ_ONLY',
          supportedParams: o.params.map((p) => param(p.name, true)),
          supportedCommands: o.commands.map((c) => ({ commandName: c.name, inputArgNames: c.input.map((a) => a.name), outputArgNames: c.output.map((a) => a.name), commandType: 'CMD_SYNC' as const })),
          supportedEvents: o.events.map((e) => ({ eventName: e.name, argNames: e.args.map((a) => a.name) })),
        }),
      );
    const file = loadProfiles();
    const report = checkProfiles(file.model, file.profiles, servedModel(everything));
    expect(report.results.filter((r) => !r.met).map((r) => [r.name, r.missing])).toEqual([]);
    expect(report.met).toHaveLength(241);
  });
});
