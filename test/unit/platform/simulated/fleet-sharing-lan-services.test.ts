/**
 * The objects issue 13 added to the simulated gateway (Ethernet.RMONStats, Hosts.AccessControl
 * and its Schedule, Hosts.Host.{i}.WANStats, DHCPv4.Relay) on two gateways of one fleet: their
 * methods, served names and schema tables are the fleet's, and what only some gateways ever use
 * (the firewall's blocked-time tracking) is not made until then (issue 14: memory per gateway;
 * a per-gateway parameter list and type table each RMONStats binding built cost ~1.3 KiB).
 */
import { describe, expect, it } from 'vitest';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { schemaTypes } from '../../../../platform/simulated/schema-tables.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

const fleet = simulatedFleet(13);

const RMON = 'Device.Ethernet.RMONStats.{i}.';
const WAN_STATS = 'Device.Hosts.Host.{i}.WANStats.';
const OBJECTS = [RMON, 'Device.Hosts.AccessControl.{i}.', 'Device.Hosts.AccessControl.{i}.Schedule.{i}.', WAN_STATS, 'Device.DHCPv4.Relay.', 'Device.DHCPv4.Relay.Forwarding.{i}.'];

/** What a binding keeps of its gateway (its private fields, read for structure only). */
const inside = <T>(b: ObjectBinding, field: string): T => (b as unknown as Record<string, T>)[field];

describe('the issue 13 objects of the simulated gateway on two gateways of one fleet', () => {
  it.each(OBJECTS)('%s: the methods and the served names are the fleet’s', (path) => {
    const [a, b] = fleet(2);
    expectSharedCode(path, a.binding(path), b.binding(path));
    expect(b.binding(path).params).toBeDefined();
  });

  it('RMONStats reads its counters’ types from the fleet’s schema table', () => {
    const [a, b] = fleet(2);
    const types = (gw: typeof a) => inside<{ types: unknown }>(gw.binding(RMON), 's').types;
    expect(types(a)).toBe(schemaTypes(a.model, RMON));
    expect(types(b)).toBe(types(a));
  });

  it('the simulated firewall tracks no device until an AccessControl row blocks one', async () => {
    const [a, b] = fleet(2);
    const tracked = (gw: typeof a) => inside<{ byMac?: Map<string, unknown> }>(gw.binding(WAN_STATS), 'access').byMac;
    // Read whole: every host's WANStats asked, no rule anywhere.
    await a.readAll();
    await b.readAll();
    expect(tracked(a)).toBeUndefined();
    await a.add('Device.Hosts.AccessControl.', { PhysAddress: '02:00:00:00:13:01', Enable: true, AccessPolicy: 'Deny' });
    expect(tracked(a)?.size).toBe(1);
    expect(tracked(b)).toBeUndefined();
  });
});
