/**
 * A plugin's writable vendor table, used by a controller over WebSocket (the in-process agent,
 * test/peers/agent-fixture.ts): Add creates a row through the plugin's add(), the row reads back,
 * Set writes through set(), a duplicate unique key is refused (7025), Delete removes it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, get, set, tryAdd } from '../peers/controller-steps.js';
import { asResponse } from '../peers/TestController.js';

const PREFIX = 'X_EXAMPLE-COM_';
const dir = mkdtempSync(join(tmpdir(), 'usp-plugin-table-'));
let f: AgentFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('Add, Get, Set, a duplicate unique key and Delete on a vendor table a plugin serves', async () => {
  const file = join(dir, 'fans.mjs');
  writeFileSync(
    file,
    `export default { name: 'fans', register(api) {
    const rows = new Map();
    let next = 1;
    api.addVendorObject({ path: 'Device.${PREFIX}Fan.{i}.', uniqueKeys: ['Name'],
      params: [{ name: 'Name', type: 'string', access: 'readWrite' }, { name: 'Speed', type: 'unsignedInt', units: 'rpm' }] }, {
      list: () => [...rows.keys()],
      get: ([n]) => ({ ...rows.get(n) }),
      set: ([n], changes) => { Object.assign(rows.get(n), changes); },
      add: (_parent, params) => { const n = next++; rows.set(n, { Name: '', Speed: 1200, ...params }); return n; },
      delete: ([n]) => { rows.delete(n); },
    });
  } };`,
  );
  f = await startAgent({ vendorPrefix: PREFIX, agent: { plugins: [file] } });
  const c = f.controller;
  const row = await add(c, `Device.${PREFIX}Fan.`, { Name: 'cpu' });
  expect(row).toBe(`Device.${PREFIX}Fan.1.`);
  expect(await get(c, `${row}Speed`)).toBe('1200');
  expect(await get(c, `Device.${PREFIX}FanNumberOfEntries`)).toBe('1');
  await set(c, row, { Name: 'case' });
  expect(await get(c, `${row}Name`)).toBe('case');
  await add(c, `Device.${PREFIX}Fan.`, { Name: 'cpu' });
  const dup = await tryAdd(c, `Device.${PREFIX}Fan.`, { Name: 'case' });
  expect(dup.ok ? 0 : dup.errCode).toBe(7025);
  const del = asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [row] } }));
  expect(del.respType).toBe('deleteResp');
  expect(await get(c, `Device.${PREFIX}FanNumberOfEntries`)).toBe('1');
}, 20_000);
