/**
 * A simulated gateway of a fleet builds each area the first time something touches it
 * (DataModel.registerDeferred, issue 14): built late, after the clock moved and its store was
 * written, it reads exactly what a gateway of the same seed built at boot reads, and it still
 * reports the rows its churned tables gain and lose.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();
const SEED = 11;
const running: SimFixture[] = [];

interface Gateway extends SimFixture {
  store: DataStore;
}

/** `n` gateways of one fleet with the same seed and boot time; the first builds the shared tree. */
function fleet(n: number): Gateway[] {
  const share = new SharedSupportedModel();
  return Array.from({ length: n }, () => {
    const model = new DataModel(schema, { share });
    const store = new DataStore();
    const gw = simulated(SEED, { model, store });
    model.seal();
    running.push(gw);
    return { ...gw, store };
  });
}

afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
  vi.useRealTimers();
});

/** Every object the gateway serves, with its values, as a whole-tree Get (Device.) reads them. */
const wholeTree = async (gw: SimFixture) => (await gw.readAll()).map((o) => ({ path: o.path, values: o.values }));

describe('a simulated fleet gateway built on first use', () => {
  it('reads, built late, what the same gateway built at boot reads, after the clock moved and its store was written', async () => {
    const [builder, early, late] = fleet(3);
    expect(builder.model.pendingGroups()).toEqual([]);
    const deferred = early.model.pendingGroups();
    expect(deferred.length).toBeGreaterThan(3);
    // DeviceInfo is there at once: Boot! and the agent's start read it.
    await early.values('Device.DeviceInfo.');
    expect(early.model.pendingGroups()).toEqual(deferred);
    // Gateway `early` is read whole at boot; `late` is not touched.
    await wholeTree(early);
    expect(early.model.pendingGroups()).toEqual([]);
    expect(late.model.pendingGroups()).toEqual(deferred);
    for (const gw of [builder, early, late]) gw.advance(4000);
    // What the agent's store takes without the model (loading saved state, a factory-defaults file).
    for (const gw of [builder, early, late]) {
      gw.store.setRow('Device.WiFi.SSID.1.', { SSID: 'written-to-the-store' });
      gw.store.setRow('Device.Ethernet.Interface.2.', { Enable: false });
    }
    for (const gw of [builder, early, late]) gw.advance(3000);
    // A Set on an area `late` never built builds it (and what it depends on) only.
    for (const gw of [builder, early, late]) await gw.set('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.', { PollingInterval: 7 });
    expect(late.model.pendingGroups().length).toBeGreaterThan(0);
    expect(late.model.pendingGroups().length).toBeLessThan(deferred.length);
    for (const gw of [builder, early, late]) gw.advance(5000);
    const [b, e, l] = [await wholeTree(builder), await wholeTree(early), await wholeTree(late)];
    expect(late.model.pendingGroups()).toEqual([]);
    expect(b.length).toBeGreaterThan(100);
    expect(l).toEqual(e);
    expect(l).toEqual(b);
    expect(l.find((o) => o.path === 'Device.WiFi.SSID.1.')?.values.SSID).toBe('written-to-the-store');
    expect(l.find((o) => o.path === 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.')?.values.PollingInterval).toBe(7);
  });

  it('takes a Set on an area nobody read, and a Wi-Fi scan, building only what they need', async () => {
    const [, gw] = fleet(2);
    await gw.set('Device.WiFi.SSID.1.', { SSID: 'set-late' });
    expect((await gw.values('Device.WiFi.SSID.1.')).SSID).toBe('set-late');
    expect(gw.model.pendingGroups()).not.toContain('simulated Wi-Fi');
    expect(gw.model.pendingGroups()).toContain('simulated DHCP, Hosts, Firewall, NAT, DNS and Routing');
  });

  it('reports the rows a churned table built late gains and loses, as a gateway built at boot does', () => {
    vi.useFakeTimers();
    const [, early, late] = fleet(3);
    let wanted = false;
    const changes = new Map<SimFixture, string[]>([
      [early, []],
      [late, []],
    ]);
    for (const [gw, seen] of changes) {
      gw.model.changes.wantsObjectChanges = () => wanted;
      gw.model.changes.subscribe((c: Change) => {
        if (c.kind === 'created' || c.kind === 'deleted') seen.push(`${c.kind} ${c.path}`);
      });
    }
    const polls = (n: number): void => {
      for (let i = 0; i < n; i++) {
        for (const gw of changes.keys()) gw.advance(15);
        vi.advanceTimersByTime(15_000);
      }
    };
    void early.readAll();
    // Two hours with nobody wanting the news: the churn rests and builds nothing.
    polls(480);
    expect(late.model.pendingGroups()).toContain('simulated Wi-Fi');
    // A Subscription appears: the next look builds the churned tables, which report from then on.
    wanted = true;
    for (const gw of changes.keys()) gw.model.changes.objectChangesMayBeWanted();
    polls(1);
    expect(late.model.pendingGroups()).not.toContain('simulated Wi-Fi');
    for (const seen of changes.values()) seen.length = 0;
    polls(960);
    const [fromEarly, fromLate] = [changes.get(early)!, changes.get(late)!];
    expect(fromLate.some((c) => c.startsWith('created Device.WiFi.AccessPoint.'))).toBe(true);
    expect(fromLate.some((c) => c.startsWith('deleted Device.Hosts.Host.'))).toBe(true);
    expect(fromLate).toEqual(fromEarly);
  });
});
