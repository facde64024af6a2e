/**
 * What a fleet gateway never uses is not made (issue 14): an in-memory DataStore keeps no saving
 * state and no row-index map until an index is asked for.
 */
import { describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';

/** A private field's value, to see whether it was made. */
const field = (o: object, name: string): unknown => (o as Record<string, unknown>)[name];

describe('state made at first use', () => {
  it('an in-memory DataStore makes no dirty sets, saved image or index map for rows, tables and flushes', async () => {
    const s = new DataStore();
    const n = s.allocate('Device.LocalAgent.Controller.');
    s.setRow(`Device.LocalAgent.Controller.${n}.`, { EndpointID: 'proto::a' });
    s.remove(`Device.LocalAgent.Controller.${n}.`, 'Device.LocalAgent.Controller.', n);
    await s.flush();
    s.clear();
    for (const name of ['dirtyRowsOf', 'dirtyTablesOf', 'imageOf', 'indexes']) expect(field(s, name), name).toBeUndefined();
    s.indexRows('Device.LocalAgent.Controller.{i}.', ['EndpointID'], { EndpointID: '' });
    expect(field(s, 'indexes')).toBeDefined();
  });
});
