/**
 * The extension API as an integrator meets it: the real built agent process (`npm run build`
 * first; the bundle dist/usp-agent.cjs) started with `--plugin examples/plugins/usb-sysfs.mjs`
 * over a recorded-layout /sys tree, and a controller over WebSocket that reads the plugin's
 * Device.USB. objects (on a platform that serves none itself) and vendor parameter, finds them in
 * GetSupportedDM and runs its vendor command, and gets its vendor event. A provider whose source fails answers 7003 for its own paths while the rest of the
 * tree answers; broken plugins are refused at start with exit 2 and one line naming the file.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GetRequestedPathResult } from '../../agent/codec/types.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, REPO, writeDefaultsFile } from '../peers/agent-process.js';
import { getObjects, responseOf } from '../peers/get-objects.js';
import { operateOne, outputArgs } from '../peers/operate.js';
import { subscribePush } from '../peers/controller-steps.js';
import { TestController, freePort, waitForNotification } from '../peers/TestController.js';

/** agent/cli/main.ts EXIT_START_FAILED (not imported: main.ts pulls in the whole agent). */
const EXIT_START_FAILED = 2;
const PREFIX = 'X_EXAMPLE-COM_';
const PLUGIN = 'examples/plugins/usb-sysfs.mjs';
const dir = mkdtempSync(join(tmpdir(), 'usp-agent-plugin-'));
const controllers: TestController[] = [];

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the recorded /sys tree the test may take away and put back. */
function sysfsCopy(name: string): string {
  const root = join(dir, name);
  cpSync(join(REPO, 'test/fixtures/usb-sysfs'), root, { recursive: true });
  return root;
}

async function startWithPlugin(name: string, sysfs: string, args: string[] = [], more: { platform?: string; env?: Record<string, string> } = {}): Promise<{ agent: AgentProcess; c: TestController }> {
  const port = await freePort();
  const defaults = join(dir, `${name}.json`);
  writeDefaultsFile(defaults, port);
  const agent = AgentProcess.start(defaults, join(dir, `${name}-data`), {
    args: ['--vendor-prefix', PREFIX, '--plugin', PLUGIN, ...args],
    env: { USB_SYSFS_ROOT: sysfs, USB_SYSFS_CACHE_MS: '0', ...more.env },
    ...(more.platform ? { platform: more.platform } : {}),
  });
  await agent.waitForLine(/websocket server listening/, { timeoutMs: 30_000 });
  const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
  controllers.push(c);
  return { agent, c };
}

/** Every supported object under Device.USB. and Device.DeviceInfo. (GetSupportedDM). */
async function supportedObjs(c: TestController) {
  const gsdm = responseOf(
    await c.send({
      reqType: 'getSupportedDm',
      getSupportedDm: { objPaths: ['Device.USB.', 'Device.DeviceInfo.'], firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: false },
    }),
  );
  if (gsdm.respType !== 'getSupportedDmResp') throw new Error(gsdm.respType);
  return gsdm.getSupportedDmResp.reqObjResults.flatMap((r) => r.supportedObjs ?? []);
}

async function getResults(c: TestController, paths: string[]): Promise<GetRequestedPathResult[]> {
  const r = responseOf(await c.send({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return r.getResp.reqPathResults;
}

describe('the example plugin in the real agent process', () => {
  it('on a platform without USB of its own serves Device.USB.USBHosts. from /sys', async () => {
    const sysfs = sysfsCopy('sys-tables');
    // The Linux platform reads its device sysfs from an empty tree: it serves no Device.USB., the plugin does.
    const empty = join(dir, 'no-device-sysfs');
    mkdirSync(empty, { recursive: true });
    const { agent, c } = await startWithPlugin('tables', sysfs, [], { platform: 'linux', env: { USP_AGENT_SYSFS_ROOT: empty } });
    expect(agent.count(/Device\.USB\. is served by the platform/)).toBe(0);
    const usb = await getObjects(c, ['Device.USB.']);
    expect(usb['Device.USB.USBHosts.']).toEqual({ HostNumberOfEntries: '2' });
    // Alias is the agent's: the plugin serves none (INTEGRATING.md, "Alias").
    expect(usb['Device.USB.USBHosts.Host.1.']).toEqual({ Alias: 'cpe-1', Enable: 'true', Name: 'usb1', Type: 'xHCI', USBVersion: '2.00', DeviceNumberOfEntries: '2' });
    expect(usb['Device.USB.USBHosts.Host.2.']).toMatchObject({ Name: 'usb2', USBVersion: '3.00', DeviceNumberOfEntries: '1' });
    expect(usb['Device.USB.USBHosts.Host.1.Device.2.']).toMatchObject({
      Manufacturer: 'HUAWEI',
      ProductClass: 'HUAWEI Mobile',
      VendorID: String(0x12d1),
      ProductID: String(0x1506),
      Rate: 'High',
      IsSuspended: 'true',
      IsSelfPowered: 'true',
      Port: '3',
    });
    expect(usb['Device.USB.USBHosts.Host.2.Device.3.']).toMatchObject({ Manufacturer: 'SanDisk', Rate: 'Super', SerialNumber: 'AA010215170355310594' });
    const objs = await supportedObjs(c);
    expect(objs.find((o) => o.supportedObjPath === 'Device.USB.USBHosts.Host.{i}.')?.supportedParams?.map((p) => p.paramName)).toEqual([
      'Enable',
      'Name',
      'Type',
      'USBVersion',
      'Alias',
      'DeviceNumberOfEntries',
    ]);
    expect((await agent.terminate()).code).toBe(0);
  }, 60_000);

  it('on the simulated platform adds its vendor parameter, command and event to the built-in Device.USB., listed by GetSupportedDM', async () => {
    const sysfs = sysfsCopy('sys-usb');
    const { agent, c } = await startWithPlugin('usb', sysfs);
    expect(agent.lines.some((l) => /component=agent msg="plugin loaded" plugin="usb-sysfs" file="examples\/plugins\/usb-sysfs.mjs"/.test(l.text))).toBe(true);
    expect(agent.count(/Device\.USB\. is served by the platform; adding the vendor parts only/)).toBe(1);

    // The simulated gateway's own USB host (a flash drive and a USB Ethernet adapter), untouched by the plugin.
    const usb = await getObjects(c, ['Device.USB.']);
    expect(usb['Device.USB.USBHosts.']).toEqual({ HostNumberOfEntries: '1' });
    expect(usb['Device.USB.USBHosts.Host.1.']).toMatchObject({ Name: 'usb1', Type: 'xHCI', USBVersion: '3.0', DeviceNumberOfEntries: '2' });

    const info = await getObjects(c, [`Device.DeviceInfo.${PREFIX}USBDeviceCount`, 'Device.DeviceInfo.']);
    expect(info['Device.DeviceInfo.'][`${PREFIX}USBDeviceCount`]).toBe('3');
    expect(info['Device.DeviceInfo.'].SerialNumber).not.toBe('');

    const objs = await supportedObjs(c);
    const obj = (p: string) => objs.find((o) => o.supportedObjPath === p);
    expect(obj('Device.USB.USBHosts.Host.{i}.')?.supportedParams?.map((p) => p.paramName)).toContain('PowerManagementEnable');
    expect(obj('Device.USB.USBHosts.Host.{i}.Device.{i}.')?.supportedParams?.map((p) => p.paramName)).toContain('VendorID');
    expect(obj('Device.USB.USBHosts.')?.supportedCommands?.map((x) => x.commandName)).toEqual([`${PREFIX}Rescan()`]);
    expect(obj('Device.DeviceInfo.')?.supportedParams?.map((p) => p.paramName)).toContain(`${PREFIX}USBDeviceCount`);

    expect(obj('Device.USB.USBHosts.')?.supportedEvents?.map((x) => x.eventName)).toEqual([`${PREFIX}DevicesChanged!`]);

    expect(outputArgs(await operateOne(c, `Device.USB.USBHosts.${PREFIX}Rescan()`))).toEqual({ DeviceCount: '3' });
    // The flash drive is pulled: the next scan sees it gone, and the vendor event reaches a subscriber.
    await subscribePush(c, 'usb-changes', `Device.USB.USBHosts.${PREFIX}DevicesChanged!`);
    rmSync(join(sysfs, 'bus/usb/devices/2-1'), { recursive: true });
    expect(outputArgs(await operateOne(c, `Device.USB.USBHosts.${PREFIX}Rescan()`))).toEqual({ DeviceCount: '2' });
    const event = await waitForNotification(c, (ns) => ns.map((n) => n.notify).find((n) => n.notification === 'event'));
    expect(event).toMatchObject({ subscriptionId: 'usb-changes', event: { objPath: 'Device.USB.USBHosts.', eventName: `${PREFIX}DevicesChanged!`, params: { DeviceCount: '2' } } });
    expect((await agent.terminate()).code).toBe(0);
  }, 30_000);

  it('a provider whose source fails answers 7003 for its own paths only (a whole-tree Get leaves them out), logged once, and the agent stays up', async () => {
    const sysfs = sysfsCopy('sys-gone');
    const { agent, c } = await startWithPlugin('gone', sysfs);
    renameSync(sysfs, `${sysfs}.away`);
    for (let i = 0; i < 3; i++) {
      const [usb, vendor, serial, info] = await getResults(c, ['Device.USB.USBHosts.', `Device.DeviceInfo.${PREFIX}USBDeviceCount`, 'Device.DeviceInfo.SerialNumber', 'Device.DeviceInfo.']);
      // The platform's USB answers; the plugin's parameter fails alone.
      expect(usb.errCode ?? 0).toBe(0);
      expect(vendor.errCode).toBe(7003);
      expect(vendor.errMsg).toContain('plugin usb-sysfs failed');
      expect(serial.errCode ?? 0).toBe(0);
      expect(serial.resolvedPathResults?.[0].resultParams.SerialNumber).not.toBe('');
      // The platform's object still answers, without the plugin's parameter.
      expect(info.errCode ?? 0).toBe(0);
      expect(Object.keys(info.resolvedPathResults?.find((o) => o.resolvedPath === 'Device.DeviceInfo.')?.resultParams ?? {})).not.toContain(`${PREFIX}USBDeviceCount`);
    }
    // A whole-tree Get answers too, without the plugin's failing subtree.
    const [tree] = await getResults(c, ['Device.']);
    expect(tree.errCode ?? 0, tree.errMsg).toBe(0);
    const objects = (tree.resolvedPathResults ?? []).map((o) => o.resolvedPath);
    expect(objects).toContain('Device.DeviceInfo.');
    expect(objects).toContain('Device.USB.USBHosts.Host.1.');
    const whole = tree.resolvedPathResults?.find((o) => o.resolvedPath === 'Device.DeviceInfo.')?.resultParams ?? {};
    expect(Object.keys(whole)).not.toContain(`${PREFIX}USBDeviceCount`);
    expect(agent.alive).toBe(true);
    // One line per failing provider call site, not one per request.
    const logged = agent.lines.filter((l) => /msg="plugin provider failed" plugin="usb-sysfs"/.test(l.text));
    expect(logged.length).toBeGreaterThan(0);
    expect(new Set(logged.map((l) => /at="([^"]+)"/.exec(l.text)?.[1])).size).toBe(logged.length);
    expect(agent.count(/msg="get failed"/)).toBe(0);
    renameSync(`${sysfs}.away`, sysfs);
    expect((await getObjects(c, [`Device.DeviceInfo.${PREFIX}USBDeviceCount`]))['Device.DeviceInfo.'][`${PREFIX}USBDeviceCount`]).toBe('3');
  }, 30_000);
});

describe('plugins named by the factory-defaults file', () => {
  it('"$plugins" loads modules relative to the file, before those of --plugin', async () => {
    const port = await freePort();
    const defaults = join(dir, 'with-plugins.json');
    writeDefaultsFile(defaults, port);
    mkdirSync(join(dir, 'board'), { recursive: true });
    writeFileSync(
      join(dir, 'board', 'serial.mjs'),
      `export default { name: 'board-serial', register(api) {
      api.addVendorParams('Device.DeviceInfo.', [{ name: api.vendorPrefix + 'BoardRevision', type: 'string' }], { get: () => ({ [api.vendorPrefix + 'BoardRevision']: 'B2' }) });
    } };`,
    );
    writeFileSync(defaults, JSON.stringify({ ...(JSON.parse(readFileSync(defaults, 'utf8')) as object), $plugins: ['board/serial.mjs'] }));
    const agent = AgentProcess.start(defaults, join(dir, 'with-plugins-data'), {
      args: ['--vendor-prefix', PREFIX, '--plugin', PLUGIN],
      env: { USB_SYSFS_ROOT: sysfsCopy('sys-defaults') },
    });
    await agent.waitForLine(/websocket server listening/);
    const loaded = agent.lines.map((l) => /msg="plugin loaded" plugin="([^"]+)"/.exec(l.text)?.[1]).filter((n) => n !== undefined);
    expect(loaded).toEqual(['board-serial', 'usb-sysfs']);
    const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
    controllers.push(c);
    const info = (await getObjects(c, ['Device.DeviceInfo.']))['Device.DeviceInfo.'];
    expect(info).toMatchObject({ [`${PREFIX}BoardRevision`]: 'B2', [`${PREFIX}USBDeviceCount`]: '3' });
  }, 30_000);
});

describe('a broken plugin is refused at start: exit 2, one line naming the plugin file, what was wrong and the fix', () => {
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['missing file', undefined, /--plugin .*missing\.mjs: no such file .*; give the path of a JavaScript module/],
    ['syntax error', 'export default function register(api) {', /--plugin .*syntax\.mjs: the module could not be loaded: .*; fix the module/],
    ['throws in register', "export default () => { throw new Error('no such sensor'); };", /--plugin .*throws\.mjs: register\(\) failed: no such sensor; fix the plugin's register\(\)/],
    [
      'bad path',
      "export default (api) => api.bind('Device.USB.Nope.{i}.', { list: () => [], get: () => ({}) });",
      /--plugin .*badpath\.mjs: Device\.USB\.Nope\.\{i\}\. is not an object of the TR-181 schema/,
    ],
    [
      'name without the prefix',
      "export default (api) => api.addVendorParams('Device.DeviceInfo.', [{ name: 'FanSpeed', type: 'unsignedInt' }], { get: () => ({}) });",
      /--plugin .*noprefix\.mjs: Device\.DeviceInfo\.FanSpeed is not under the vendor prefix X_EXAMPLE-COM_; name it X_EXAMPLE-COM_<Name>/,
    ],
    [
      'clash with the platform',
      "export default (api) => api.bind('Device.DeviceInfo.', { get: () => ({}) });",
      /--plugin .*clash\.mjs: Device\.DeviceInfo\. is already served .*; pass \{ override: true \}/,
    ],
  ];
  const files: Record<string, string> = {
    'missing file': 'missing.mjs',
    'syntax error': 'syntax.mjs',
    'throws in register': 'throws.mjs',
    'bad path': 'badpath.mjs',
    'name without the prefix': 'noprefix.mjs',
    'clash with the platform': 'clash.mjs',
  };

  it.each(cases)(
    '%s',
    async (kind, source, message) => {
      const file = join(dir, files[kind]);
      if (source !== undefined) writeFileSync(file, source);
      const port = await freePort();
      const defaults = join(dir, `refused-${files[kind]}.json`);
      writeDefaultsFile(defaults, port);
      const agent = AgentProcess.start(defaults, join(dir, `refused-${files[kind]}-data`), { args: ['--vendor-prefix', PREFIX, '--plugin', file] });
      expect(await agent.exit(), agent.text).toBe(EXIT_START_FAILED);
      expect(agent.count(/websocket server listening/)).toBe(0);
      const errors = agent.lines.filter((l) => l.stream === 'stderr' && l.text.startsWith('level=error '));
      expect(errors, agent.text).toHaveLength(1);
      expect(errors[0].text).toMatch(message);
    },
    20_000,
  );
});
