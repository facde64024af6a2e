/**
 * Loading `--plugin` modules (agent/plugins/): a plugin gets the binding API the platforms use,
 * checked. Every way a plugin can be wrong stops the start with a message naming the plugin
 * file, what was wrong and the fix; a provider that throws at run time fails only its own paths
 * (7003), logged once per burst.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugins, PluginError } from '../../../../agent/plugins/load-plugins.js';
import type { PluginTargets } from '../../../../agent/plugins/plugin-host.js';
import { createLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';

const schema = Schema.load();
const dir = mkdtempSync(join(tmpdir(), 'usp-plugin-'));
const PREFIX = 'X_EXAMPLE-COM_';

function plugin(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** A model where the "platform" serves Device.DeviceInfo. (Manufacturer, SerialNumber). */
function setup(): { model: DataModel; targets: PluginTargets; lines: string[]; load: (files: string[], prefix?: string | null) => Promise<string[]> } {
  const model = new DataModel(schema);
  model.register('Device.DeviceInfo.', { params: ['Manufacturer', 'SerialNumber'], get: () => ({ Manufacturer: 'ACME', SerialNumber: 'S1' }) });
  const targets: PluginTargets = { platform: 'none', executionEnvs: [], selfTestChecks: [], stops: [] };
  const lines: string[] = [];
  const log = createLogger('info', 'agent', (_l, s) => lines.push(s));
  return { model, targets, lines, load: (files, prefix = PREFIX) => loadPlugins(model, files, targets, { vendorPrefix: prefix ?? undefined, log }) };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PluginError);
  return (e as Error).message;
}

describe('loadPlugins: a bad plugin stops the start, naming it', () => {
  it('a missing file, a syntax error, no register function, a throw in register()', async () => {
    const { load } = setup();
    expect(await refusal(load([join(dir, 'nope.mjs')]))).toMatch(/^--plugin .*nope\.mjs: no such file .*; give the path of a JavaScript module/);
    const syntax = plugin('syntax.mjs', 'export default function register(api) {');
    expect(await refusal(load([syntax]))).toMatch(/^--plugin .*syntax\.mjs: the module could not be loaded: .*; fix the module/);
    const none = plugin('none.mjs', 'export const x = 1;');
    expect(await refusal(load([none]))).toContain('none.mjs: it exports no register function; export default function register(api)');
    const throws = plugin('throws.mjs', "export default { name: 't', register() { throw new Error('no sensor'); } };");
    expect(await refusal(load([throws]))).toContain("throws.mjs: register() failed: no sensor; fix the plugin's register() or leave the --plugin option out");
    const rejects = plugin('rejects.mjs', "export default async function register() { throw new Error('later'); }");
    expect(await refusal(load([rejects]))).toContain('rejects.mjs: register() failed: later');
  });

  it('a self-test check without run(), with a name that is no short name, or added twice', async () => {
    const { load, targets } = setup();
    const norun = plugin('norun.mjs', "export default (api) => api.addSelfTestCheck({ name: 'fan' });");
    expect(await refusal(load([norun]))).toContain('norun.mjs: the self-test check has no run(); give { name, run(signal) }');
    const badName = plugin('badname.mjs', "export default (api) => api.addSelfTestCheck({ name: 'fan speed;ok', run: async () => {} });");
    expect(await refusal(load([badName]))).toContain('badname.mjs: self-test check name "fan speed;ok" is not a short name');
    const twice = plugin('twice.mjs', "export default (api) => { api.addSelfTestCheck({ name: 'fan', run: async () => {} }); api.addSelfTestCheck({ name: 'fan', run: async () => {} }); };");
    expect(await refusal(load([twice]))).toContain('twice.mjs: self-test check fan is added twice');
    const good = plugin('good.mjs', "export default { name: 'good', register(api) { api.addSelfTestCheck({ name: 'fan', run: async () => '1200 rpm' }); } };");
    targets.selfTestChecks.length = 0;
    expect(await load([good])).toEqual(['good']);
    expect(targets.selfTestChecks.map((c) => c.name)).toEqual(['fan']);
  });

  it('a path outside the schema, a vendor name without the prefix or with no prefix configured, a bad type', async () => {
    const { load } = setup();
    const bad = plugin('badpath.mjs', "export default (api) => api.bind('Device.Nope.', { get: () => ({}) });");
    expect(await refusal(load([bad]))).toContain('badpath.mjs: Device.Nope. is not an object of the TR-181 schema (bind); give a supported path');
    const unprefixed = plugin('unprefixed.mjs', "export default (api) => api.addVendorParams('Device.DeviceInfo.', [{ name: 'BoardTemp', type: 'int' }], { get: () => ({}) });");
    expect(await refusal(load([unprefixed]))).toContain('unprefixed.mjs: Device.DeviceInfo.BoardTemp is not under the vendor prefix X_EXAMPLE-COM_; name it X_EXAMPLE-COM_<Name>');
    const noPrefix = plugin('noprefix.mjs', "export default (api) => api.addVendorParams('Device.DeviceInfo.', [{ name: 'X_EXAMPLE-COM_T', type: 'int' }], { get: () => ({}) });");
    expect(await refusal(load([noPrefix], null))).toContain('none is configured; start the agent with --vendor-prefix');
    const badType = plugin('badtype.mjs', `export default (api) => api.addVendorParams('Device.DeviceInfo.', [{ name: '${PREFIX}T', type: 'float' }], { get: () => ({}) });`);
    expect(await refusal(load([badType]))).toContain('type "float" is not a TR-106 base type; use one of string, boolean');
  });

  it("binding an object the platform serves is a clash unless override: true, which replaces that object's binding", async () => {
    const { model, load } = setup();
    const clash = plugin('clash.mjs', "export default (api) => api.bind('Device.DeviceInfo.', { params: ['Manufacturer'], get: () => ({ Manufacturer: 'Plugin' }) });");
    expect(await refusal(load([clash]))).toContain('clash.mjs: Device.DeviceInfo. is already served (by the platform or another plugin); pass { override: true }');
    const over = plugin('override.mjs', "export default (api) => api.bind('Device.DeviceInfo.', { params: ['Manufacturer'], get: () => ({ Manufacturer: 'Plugin' }) }, { override: true });");
    expect(await load([over])).toEqual(['override']);
    const node = model.requireNode('Device.DeviceInfo.');
    expect([...node.params.keys()]).toEqual(['Manufacturer']);
    expect(await model.readValues({ node, keys: [] }, {})).toEqual({ Manufacturer: 'Plugin' });
  });
});

describe('loadPlugins: what a plugin adds', () => {
  it('a CommonJS plugin binds an unbound schema table and a vendor object, command and event', async () => {
    const { model, load, targets } = setup();
    const cjs = plugin(
      'usb.cjs',
      `module.exports = { name: 'usb', register(api) {
      const t = api.helpers.table({ maxAgeMs: 0, params: ['Name'], rows: () => [['usb1', 1]], values: (_r, key) => ({ Name: key }) });
      api.bind('Device.USB.USBHosts.Host.{i}.', t);
      api.addVendorObject({ path: 'Device.${PREFIX}Fan.{i}.', params: [{ name: 'Speed', type: 'unsignedInt', units: 'rpm' }] }, { list: () => [1], get: () => ({ Speed: 1200 }) });
      api.addVendorCommand('Device.${PREFIX}Fan.{i}.', { name: '${PREFIX}Spin()', input: [{ name: 'Rpm', type: 'unsignedInt' }] }, { run: async () => ({}) });
      globalThis.__emitFanStall = api.addVendorEvent('Device.${PREFIX}Fan.{i}.', { name: '${PREFIX}Stalled!', args: [{ name: 'Rpm', type: 'unsignedInt' }] });
      api.addExecutionEnvironment({ name: 'fake' });
      api.onStop(() => { globalThis.__usbStopped = true; });
    } };`,
    );
    expect(await load([cjs])).toEqual(['usb']);
    const host = model.requireNode('Device.USB.USBHosts.Host.{i}.');
    expect(await model.bindingOf(host)!.list!([], {})).toEqual([1]);
    expect(await model.readValues({ node: host, keys: [1] }, {})).toEqual({ Name: 'usb1' });
    const fan = model.requireNode(`Device.${PREFIX}Fan.{i}.`);
    expect(fan.supported).toBe(true);
    expect(fan.def.access).toBe('readOnly');
    expect([...fan.params.keys()]).toEqual(['Speed']);
    expect(model.root.params.has(`${PREFIX}FanNumberOfEntries`)).toBe(true);
    expect([...fan.commands.keys()]).toEqual([`${PREFIX}Spin()`]);
    expect([...fan.events.keys()]).toEqual([`${PREFIX}Stalled!`]);
    const seen: string[] = [];
    model.changes.subscribe((c) => {
      if (c.kind === 'event') seen.push(`${c.path}${c.event}`);
    });
    (globalThis as { __emitFanStall?: (k: number[], a: Record<string, number>) => void }).__emitFanStall!([1], { Rpm: 0 });
    expect(seen).toEqual([`Device.${PREFIX}Fan.1.${PREFIX}Stalled!`]);
    expect(targets.executionEnvs).toHaveLength(1);
    targets.stops.forEach((s) => s());
    expect((globalThis as { __usbStopped?: boolean }).__usbStopped).toBe(true);
  });

  it("a firmware backend replaces the platform's only with override: true", async () => {
    const { load, targets } = setup();
    const platformFw = {
      beginDownload: () => {
        throw new Error('x');
      },
      checkBootable: () => undefined,
      setBootBank: () => undefined,
      takeFirmwareUpdated: () => false,
    };
    targets.firmware = platformFw;
    const clash = plugin('fw-clash.mjs', 'export default (api) => api.setFirmwareBackend({ mine: true });');
    expect(await refusal(load([clash]))).toContain('fw-clash.mjs: the none platform already has a firmware backend; pass { override: true } to replace it');
    expect(targets.firmware).toBe(platformFw);
    const over = plugin('fw-over.mjs', 'export default (api) => api.setFirmwareBackend({ mine: true }, { override: true });');
    await load([over]);
    expect(targets.firmware).toEqual({ mine: true });
  });

  it('a binding may be a class instance (methods on its prototype), for bind and for a platform object it adds to', async () => {
    const { model, load } = setup();
    const file = plugin(
      'classy.mjs',
      `class Ports { get params() { return ['Name']; } list() { return [1]; } get([n]) { return { Name: 'port' + n }; } }
      class Temp { get() { return { '${PREFIX}T': 7 }; } }
      export default (api) => { api.bind('Device.USB.Port.{i}.', new Ports()); api.addVendorParams('Device.DeviceInfo.', [{ name: '${PREFIX}T', type: 'int' }], new Temp()); };`,
    );
    await load([file]);
    const port = model.requireNode('Device.USB.Port.{i}.');
    expect([...port.params.keys()]).toEqual(['Name']);
    expect(await model.listInstances(port, [], {})).toEqual([1]);
    expect(await model.readValues({ node: port, keys: [1] }, {})).toEqual({ Name: 'port1' });
    expect(await model.readValues({ node: model.requireNode('Device.DeviceInfo.'), keys: [] }, {})).toEqual({ Manufacturer: 'ACME', SerialNumber: 'S1', [`${PREFIX}T`]: 7 });
  });

  it("what a plugin's set changes is what is served writable: its `writable`, and a vendor parameter added to an object the platform cannot write", async () => {
    const { model, load } = setup();
    // A platform object without set: Enable and LocalTimeZone (readWrite in TR-181) are served read-only.
    model.register('Device.Time.', { params: ['Enable', 'LocalTimeZone', 'Status'], get: () => ({ Enable: true, LocalTimeZone: 'UTC0', Status: 'Synchronized' }) });
    const file = plugin(
      'writable.mjs',
      `export default (api) => {
        api.bind('Device.WiFi.Radio.{i}.', { params: ['Enable', 'Channel', 'Name'], writable: ['Channel'], list: () => [1], get: () => ({ Enable: true, Channel: 6, Name: 'wlan0' }), set: () => {} });
        api.addVendorParams('Device.Time.', [{ name: '${PREFIX}Drift', type: 'int', access: 'readWrite' }], { get: () => ({ '${PREFIX}Drift': 0 }), set: () => {} });
      };`,
    );
    await load([file]);
    expect([...model.requireNode('Device.WiFi.Radio.{i}.').fixedParams]).toEqual(['Enable']);
    const time = model.requireNode('Device.Time.');
    expect([...time.fixedParams].sort()).toEqual(['Enable', 'LocalTimeZone']);
    expect(time.params.get(`${PREFIX}Drift`)?.access).toBe('readWrite');
  });

  it('a vendor parameter on a platform object: the platform keeps the object, a failing plugin source fails only its parameter (7003), logged once per burst', async () => {
    const { model, load, lines } = setup();
    const file = plugin(
      'temp.mjs',
      `export default { name: 'temp', register(api) {
      api.addVendorParams('Device.DeviceInfo.', [{ name: '${PREFIX}BoardTemp', type: 'int', units: 'C' }], {
        get: () => { if (globalThis.__sensorBroken) throw new Error('i2c read failed'); return { '${PREFIX}BoardTemp': 41 }; },
      });
    } };`,
    );
    await load([file]);
    const node = model.requireNode('Device.DeviceInfo.');
    const inst = { node, keys: [] };
    expect([...node.params.keys()]).toEqual(['Manufacturer', 'SerialNumber', `${PREFIX}BoardTemp`]);
    expect(await model.readValues(inst, {})).toEqual({ Manufacturer: 'ACME', SerialNumber: 'S1', [`${PREFIX}BoardTemp`]: 41 });
    expect(await model.readValue(inst, `${PREFIX}BoardTemp`, {})).toBe(41);
    (globalThis as { __sensorBroken?: boolean }).__sensorBroken = true;
    for (let i = 0; i < 3; i++) {
      const e = await Promise.resolve(model.readValue(inst, `${PREFIX}BoardTemp`, {})).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(UspError);
      expect((e as UspError).code).toBe(ErrorCode.InternalError);
      expect((e as UspError).logged).toBe(true);
    }
    expect(await model.readValue(inst, 'SerialNumber', {})).toBe('S1');
    expect(await model.readValues(inst, {})).toEqual({ Manufacturer: 'ACME', SerialNumber: 'S1' });
    const logged = lines.filter((l) => l.includes('plugin provider failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('plugin="temp"');
    expect(logged[0]).toContain('error="i2c read failed"');
  });
});
