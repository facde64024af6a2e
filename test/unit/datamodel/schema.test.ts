import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Schema, supportedObjectName, supportedParentPath } from '../../../datamodel/schema/Schema.js';
import type { SchemaFile, SchemaObject } from '../../../datamodel/schema/types.js';
import { defaultXmlDir, generateSchemaWithReport, serializeDescriptions, serializeProfiles, serializeSchema } from '../../../tools/gen-schema.js';
import { applyDefaultOverrides, DEFAULT_OVERRIDES } from '../../../tools/gen-schema/overrides.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const committedFile = path.join(repoRoot, 'datamodel/schema/tr181-schema.json');
const committedDescriptions = path.join(repoRoot, 'datamodel/schema/tr181-descriptions.json');
const committedProfiles = path.join(repoRoot, 'datamodel/schema/tr181-profiles.json');
const xmlDir = defaultXmlDir(repoRoot);

// Its load time is a bench figure (bench/schema-load.ts), not a test assertion.
const schema = Schema.load();

const sum = (f: (o: SchemaObject) => number): number => schema.objects().reduce((n, o) => n + f(o), 0);

describe('TR-181 2.19.1 USP schema (generated)', () => {
  it('has the counts of the flattened Device:2.19 USP model', () => {
    expect(schema.model).toBe('Device:2.19');
    expect(schema.objects()).toHaveLength(809);
    expect(schema.objects().filter((o) => o.multi)).toHaveLength(417);
    expect(sum((o) => o.params.length)).toBe(6581);
    expect(sum((o) => o.commands.length)).toBe(178);
    expect(sum((o) => o.events.length)).toBe(52);
  });

  it('lists objects in document order with Device. first, and none from inside arguments', () => {
    expect(schema.objects()[0]!.path).toBe('Device.');
    expect(schema.objects().filter((o) => /[()!]/.test(o.path))).toEqual([]);
    for (const o of schema.objects()) expect(o.multi).toBe(o.path.endsWith('{i}.'));
  });

  it('keeps Subscription a writable table with two non-functional unique keys', () => {
    const sub = schema.getObject('Device.LocalAgent.Subscription.{i}.')!;
    expect(sub.multi).toBe(true);
    expect(sub.access).toBe('readWrite');
    expect(sub.uniqueKeys).toEqual([
      { functional: false, params: ['Alias'] },
      { functional: false, params: ['Recipient', 'ID'] },
    ]);
    expect(schema.getParam(sub.path, 'NotifType')!.enumerations).toEqual(expect.arrayContaining(['ValueChange', 'ObjectCreation', 'ObjectDeletion', 'OperationComplete', 'Event']));
  });

  it('binds the virtual Alias component to _AliasUSP (writeOnceReadOnly string(64))', () => {
    const alias = schema.getParam('Device.LocalAgent.Controller.{i}.', 'Alias')!;
    expect(alias.access).toBe('writeOnceReadOnly');
    expect(alias.type).toBe('string');
    expect(alias.dataType).toBe('Alias');
    expect(alias.sizes).toEqual([{ max: 64 }]);
    expect(schema.getObject('Device.LocalAgent.Controller.{i}.')!.numEntriesParameter).toBe('ControllerNumberOfEntries');
    expect(schema.getParam('Device.LocalAgent.', 'ControllerNumberOfEntries')!.type).toBe('unsignedInt');
  });

  it('has Device. commands and the Boot! event with arguments from components', () => {
    expect(schema.getCommand('Device.', 'Reboot()')!.async).toBe(false);
    const timer = schema.getCommand('Device.', 'ScheduleTimer()')!;
    expect(timer.async).toBe(true);
    expect(timer.input.find((a) => a.name === 'DelaySeconds')).toMatchObject({ mandatory: true, type: 'unsignedInt' });
    const boot = schema.getEvent('Device.', 'Boot!')!;
    expect(boot.args.map((a) => a.name)).toEqual(expect.arrayContaining(['Cause', 'CommandKey', 'FirmwareUpdated', 'ParameterMap']));
  });

  it('flattens objects inside command arguments into nested argument names', () => {
    const install = schema.getCommand('Device.SoftwareModules.', 'InstallDU()')!;
    expect(install.input.find((a) => a.name === 'ApplicationData.{i}.Name')).toMatchObject({ mandatory: true });
    const ping = schema.getCommand('Device.IP.Diagnostics.', 'TraceRoute()')!;
    expect(ping.output.some((a) => a.name.startsWith('RouteHops.{i}.'))).toBe(true);
  });

  it('merges facets down dataType chains', () => {
    const channel = schema.getParam('Device.WiFi.Radio.{i}.', 'Channel')!;
    expect(channel.type).toBe('unsignedInt');
    expect(channel.ranges?.length).toBeGreaterThan(0);
    const bytes = schema.getParam('Device.IP.Interface.{i}.Stats.', 'BytesSent')!;
    expect(bytes).toMatchObject({ type: 'unsignedLong', dataType: 'StatsCounter64' });
    const minAddress = schema.getParam('Device.DHCPv4.Server.Pool.{i}.', 'MinAddress')!;
    expect(minAddress).toMatchObject({ type: 'string', dataType: 'IPv4Address', sizes: [{ max: 15 }] });
    expect(minAddress.patterns).toContain('');
    expect(schema.getParam('Device.Users.User.{i}.', 'Password')!.secured).toBe(true);
  });

  it('applies the USP root document: deletions and base= modifications', () => {
    expect(schema.getCommand('Device.LocalAgent.Controller.{i}.', 'ScheduleTimer()')).toBeUndefined();
    expect(schema.getEvent('Device.LocalAgent.Controller.{i}.', 'Timer!')).toBeUndefined();
    expect(schema.getParam('Device.BulkData.', 'Protocols')!.enumerations).toEqual(['HTTP', 'MQTT', 'USPEventNotif']);
    expect(schema.getParam('Device.Hosts.Host.{i}.', 'Alias')).toBeUndefined();
    expect(schema.getParam('Device.NAT.PortMapping.{i}.', 'Origin')!.access).toBe('writeOnceReadOnly');
    // Cellular re-types the inherited 32-bit stats counters as 64-bit ones.
    expect(schema.getParam('Device.Cellular.Interface.{i}.Stats.', 'ErrorsSent')!.type).toBe('unsignedLong');
  });

  it('carries the hand-written default overrides (tools/gen-schema/overrides.ts)', () => {
    const challenge = schema.getCommand('Device.LocalAgent.ControllerTrust.', 'RequestChallenge()')!;
    expect(challenge.input.find((a) => a.name === 'RequestExpiration')!.default).toBe('900');
    expect(schema.getParam('Device.LocalAgent.Controller.{i}.TransferCompletePolicy.', 'ResultTypeFilter')!.default).toBe('Both');
    // An override that no longer matches (renamed item, or the XML gained a default) stops the generator.
    const copy = JSON.parse(fs.readFileSync(committedFile, 'utf8')) as SchemaFile;
    expect(applyDefaultOverrides(copy, [{ object: 'Device.LocalAgent.', item: 'NoSuchParam', default: '1', why: 'test' }])).toEqual(['override Device.LocalAgent.NoSuchParam: no such item']);
    expect(applyDefaultOverrides(copy, DEFAULT_OVERRIDES)[0]).toMatch(/the XML now has a default/);
  });

  it('indexes children and parents', () => {
    expect(schema.children('Device.LocalAgent.').map((o) => o.path)).toEqual(expect.arrayContaining(['Device.LocalAgent.Controller.{i}.', 'Device.LocalAgent.Subscription.{i}.']));
    expect(schema.children('Device.LocalAgent.').every((o) => supportedParentPath(o.path) === 'Device.LocalAgent.')).toBe(true);
    expect(schema.children('Device.Nope.')).toEqual([]);
    expect(supportedParentPath('Device.A.{i}.B.')).toBe('Device.A.{i}.');
    expect(supportedParentPath('Device.A.{i}.')).toBe('Device.');
    expect(supportedParentPath('Device.')).toBeUndefined();
    expect(supportedParentPath('Device.A.')).toBe('Device.');
    expect(['Device.', 'Device.A.', 'Device.A.{i}.', 'Device.A.{i}.B.', 'Device.A.{i}.B.{i}.'].map(supportedObjectName)).toEqual(['Device', 'A', 'A', 'B', 'B']);
    let reachable = 1;
    const walk = (p: string): void => {
      for (const c of schema.children(p)) {
        reachable++;
        walk(c.path);
      }
    };
    walk('Device.');
    expect(reachable).toBe(schema.objects().length);
  });

  it('is byte-identical to a fresh generation from the BBF XML (schema, descriptions and profiles)', () => {
    const report = generateSchemaWithReport(xmlDir);
    expect(report.warnings).toEqual([]);
    // vendor/bbf/tr181 holds exactly what the generator reads: every file there is reached from the root.
    expect([...report.files].sort()).toEqual(
      fs
        .readdirSync(xmlDir)
        .filter((f) => f.endsWith('.xml'))
        .sort(),
    );
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tr181-schema-'));
    try {
      const out = path.join(tmp, 'tr181-schema.json');
      fs.writeFileSync(out, serializeSchema(report.schema));
      expect(fs.readFileSync(out).equals(fs.readFileSync(committedFile))).toBe(true);
      const descOut = path.join(tmp, 'tr181-descriptions.json');
      fs.writeFileSync(descOut, serializeDescriptions(report.schema.model, report.descriptions));
      expect(fs.readFileSync(descOut).equals(fs.readFileSync(committedDescriptions))).toBe(true);
      const profOut = path.join(tmp, 'tr181-profiles.json');
      fs.writeFileSync(profOut, serializeProfiles(report.profiles));
      expect(fs.readFileSync(profOut).equals(fs.readFileSync(committedProfiles))).toBe(true);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
