/**
 * The disabled RMONStats rows of the kernel-counted platforms (Linux, OpenWrt), kept in the
 * agent's store by port name: read back by a new store on the same directory, bounded, and a
 * damaged entry (edited by hand) read as none.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../datamodel/store/DataStore.js';
import { MAX_DISABLED_PORTS, RmonDisabledPorts } from '../../../platform/rmon-disabled-ports.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function loaded(dir: string): DataStore {
  const store = new DataStore(dir);
  store.load((why) => {
    throw new Error(why);
  });
  return store;
}

describe('RmonDisabledPorts', () => {
  it('keeps the disabled ports in the store, by name, for the next start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-rmon-ports-'));
    dirs.push(dir);
    const store = loaded(dir);
    const ports = new RmonDisabledPorts(store);
    ports.add('lan1', ['lan1', 'lan2']);
    ports.add('lan2', ['lan1', 'lan2']);
    ports.delete('lan1');
    await store.flush();

    const again = new RmonDisabledPorts(loaded(dir));
    expect([again.has('lan1'), again.has('lan2')]).toEqual([false, true]);
  });

  it('without a store, for the life of the agent', () => {
    const ports = new RmonDisabledPorts(undefined);
    ports.add('eth0');
    expect(ports.has('eth0')).toBe(true);
    ports.delete('eth0');
    expect(ports.has('eth0')).toBe(false);
  });

  it('past the bound, drops ports absent now, never one present', () => {
    const ports = new RmonDisabledPorts(new DataStore(undefined));
    const names = Array.from({ length: MAX_DISABLED_PORTS }, (_, i) => `p${i}`);
    for (const n of names) ports.add(n, names);
    // p0 is still there, p1 is gone: adding one more drops p1, the first absent one.
    ports.add('new0', ['p0', 'new0']);
    expect([ports.has('p0'), ports.has('p1'), ports.has('p2'), ports.has('new0')]).toEqual([true, false, true, true]);
  });

  it('reads a damaged entry as no disabled ports, and ignores names no kernel device can have', () => {
    const store = new DataStore(undefined);
    store.setRow('Device.Ethernet.', { $rmonDisabledPorts: '{not json' });
    expect(new RmonDisabledPorts(store).has('eth0')).toBe(false);
    store.setRow('Device.Ethernet.', { $rmonDisabledPorts: JSON.stringify(['eth0', 7, 'a/b', 'x'.repeat(16)]) });
    const ports = new RmonDisabledPorts(store);
    expect([ports.has('eth0'), ports.has('a/b'), ports.has('x'.repeat(16))]).toEqual([true, false, false]);
  });
});
