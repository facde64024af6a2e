/**
 * Baseline:4 on the simulated gateway, read by a controller over a real WebSocket:
 * Device.RootDataModelVersion names the schema's TR-181 release, and Device.InterfaceStack.{i}
 * holds exactly one row per (HigherLayer, LowerLayer) pair of the LowerLayers the agent serves,
 * with stable instance numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootDataModelVersion } from '../../agent/baseline/root-object.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { getObjects, responseOf } from '../peers/get-objects.js';

/** Every layered interface object the simulated gateway serves, as wildcard paths. */
const LAYERED = [
  'Device.Ethernet.Interface.*.',
  'Device.Ethernet.Link.*.',
  'Device.WiFi.Radio.*.',
  'Device.WiFi.SSID.*.',
  'Device.Bridging.Bridge.*.Port.*.',
  'Device.IP.Interface.*.',
  'Device.Cellular.Interface.*.',
];

describe('Baseline:4: RootDataModelVersion and InterfaceStack', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  it('Device.RootDataModelVersion is the release of the generated schema', async () => {
    const v = await getObjects(f.controller, ['Device.RootDataModelVersion']);
    expect(v['Device.'].RootDataModelVersion).toBe('2.19');
  });

  it('has one row per LowerLayers pair, with the Aliases of both ends, and counts them', async () => {
    const layered = await getObjects(f.controller, LAYERED.filter(Boolean));
    const expected = new Set<string>();
    const aliases = new Map<string, string>();
    for (const [path, values] of Object.entries(layered)) {
      if (!('LowerLayers' in values)) continue;
      const higher = path.slice(0, -1);
      aliases.set(higher, values.Alias ?? '');
      for (const l of values.LowerLayers.split(',')
        .map((s) => s.trim().replace(/\.$/, ''))
        .filter(Boolean))
        expected.add(`${higher}|${l}`);
    }
    expect(expected.size).toBeGreaterThan(5);
    const stack = await getObjects(f.controller, ['Device.InterfaceStack.']);
    const rows = Object.entries(stack).filter(([p]) => /^Device\.InterfaceStack\.\d+\.$/.test(p));
    expect(new Set(rows.map(([, r]) => `${r.HigherLayer}|${r.LowerLayer}`))).toEqual(expected);
    expect(rows).toHaveLength(expected.size);
    for (const [, r] of rows) {
      expect(r.HigherAlias).toBe(aliases.get(r.HigherLayer));
      if (aliases.has(r.LowerLayer)) expect(r.LowerAlias).toBe(aliases.get(r.LowerLayer));
      expect(r.Alias).toMatch(/^cpe-/);
    }
    const root = await getObjects(f.controller, ['Device.InterfaceStackNumberOfEntries']);
    expect(Number(root['Device.'].InterfaceStackNumberOfEntries)).toBe(expected.size);
  });

  it('keeps instance numbers across reads, and finds a row by its unique key', async () => {
    const first = await getObjects(f.controller, ['Device.InterfaceStack.*.HigherLayer', 'Device.InterfaceStack.*.LowerLayer']);
    await new Promise((r) => setTimeout(r, 1100)); // past the derivation cache: a fresh pass
    const second = await getObjects(f.controller, ['Device.InterfaceStack.*.HigherLayer', 'Device.InterfaceStack.*.LowerLayer']);
    expect(second).toEqual(first);
    const [path, row] = Object.entries(first)[0];
    const found = await getObjects(f.controller, [`Device.InterfaceStack.[HigherLayer=="${row.HigherLayer}"&&LowerLayer=="${row.LowerLayer}"].Alias`]);
    expect(Object.keys(found)).toEqual([path]);
  });

  it('is listed by GetSupportedDM with its parameters', async () => {
    const r = responseOf(
      await f.controller.send({
        reqType: 'getSupportedDm',
        getSupportedDm: { objPaths: ['Device.InterfaceStack.'], firstLevelOnly: false, returnCommands: false, returnEvents: false, returnParams: true, returnUniqueKeySets: false },
      }),
    );
    if (r.respType !== 'getSupportedDmResp') throw new Error(r.respType);
    const objs = r.getSupportedDmResp.reqObjResults[0].supportedObjs ?? [];
    const names = objs.find((o) => o.supportedObjPath === 'Device.InterfaceStack.{i}.')?.supportedParams?.map((p) => p.paramName);
    expect(names).toEqual(['Alias', 'HigherLayer', 'LowerLayer', 'HigherAlias', 'LowerAlias']);
  });

  it('refuses a schema model name it cannot read a version from', () => {
    expect(rootDataModelVersion('Device:2.19')).toBe('2.19');
    expect(() => rootDataModelVersion('InternetGatewayDevice:1.4')).toThrow(/Device:<major>.<minor>/);
  });
});
