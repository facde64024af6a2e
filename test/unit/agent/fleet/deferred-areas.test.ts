/**
 * A fleet gateway (Agent.start over a SharedSupportedModel, the simulated platform, the fleet's
 * Boot! and Periodic! Subscriptions) starts without building the simulated areas nobody asked
 * about (DataModel.registerDeferred, issue 14), and builds one when a request reads it.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../../../agent/Agent.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const started: Agent[] = [];

/** The fleet's defaults without its MTP (no broker here): the Controller and its Boot! and Periodic! Subscriptions. */
function fleetDefaults(unit: number): Record<string, Value> {
  const file = JSON.parse(readFileSync(new URL('../../../../examples/fleet-defaults.json', import.meta.url), 'utf8')) as Record<string, Value>;
  const kept = Object.entries(file).filter(([k]) => !k.startsWith('Device.MQTT.') && !k.includes('.MTP.'));
  return Object.fromEntries(kept.map(([k, v]) => [k, typeof v === 'string' ? v.replaceAll('{n}', String(unit)) : v]));
}

async function gateway(share: SharedSupportedModel, unit: number): Promise<Agent> {
  const agent = await Agent.start({ defaults: fleetDefaults(unit), platform: 'simulated', log: silentLogger, seed: 1, unit, schema, sharedModel: share });
  started.push(agent);
  return agent;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()));
});

describe('a started fleet gateway', () => {
  it('holds none of the simulated areas nobody read, and builds one when a request reads it', async () => {
    const share = new SharedSupportedModel();
    const first = await gateway(share, 1);
    const later = await gateway(share, 2);
    expect(first.model.pendingGroups()).toEqual([]);
    const deferred = later.model.pendingGroups();
    expect(deferred).toContain('simulated Wi-Fi');
    expect(deferred).toContain('simulated DHCP, Hosts, Firewall, NAT, DNS and Routing');
    // The agent checks Device.DNS. is served without building it; a read builds it, reading as the first gateway does.
    const dns = later.model.requireNode('Device.DNS.');
    expect(later.model.pendingGroups()).toEqual(deferred);
    const values = await later.model.readValues({ node: dns, keys: [] }, {});
    expect(later.model.pendingGroups()).not.toContain('simulated DHCP, Hosts, Firewall, NAT, DNS and Routing');
    expect(await first.model.readValues({ node: first.model.requireNode('Device.DNS.'), keys: [] }, {})).toEqual(values);
  });
});
