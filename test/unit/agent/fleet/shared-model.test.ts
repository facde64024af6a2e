/**
 * Whole agents (Agent.start, the simulated platform) over one SharedSupportedModel, as a fleet's
 * gateways are: identical builds share the supported tree and answer from their own simulated
 * device; an agent whose build differs (another vendor prefix) or that loads plugins builds a
 * tree of its own, and nothing of it shows in the others.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, type AgentOptions } from '../../../../agent/Agent.js';
import { createLogger, silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';

const schema = Schema.load();
const PREFIX = 'X_EXAMPLE-COM_';
const CELL = 'Device.Cellular.Interface.{i}.';
const USB_PLUGIN = fileURLToPath(new URL('../../../../examples/plugins/usb-sysfs.mjs', import.meta.url));
const started: Agent[] = [];

async function gateway(share: SharedSupportedModel, unit: number, more: Partial<AgentOptions> = {}): Promise<Agent> {
  const agent = await Agent.start({
    defaults: { 'Device.LocalAgent.EndpointID': `proto::shared-${unit}` },
    platform: 'simulated',
    log: silentLogger,
    seed: unit,
    unit,
    schema,
    sharedModel: share,
    ...more,
  });
  started.push(agent);
  return agent;
}

const serialOf = async (a: Agent) => (await a.model.readValues({ node: a.model.requireNode('Device.DeviceInfo.'), keys: [] }, {})).SerialNumber;

afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()));
});

describe('agents over one shared supported model', () => {
  it('share the tree when built the same way, each serving its own device', async () => {
    const share = new SharedSupportedModel();
    const a = await gateway(share, 1);
    const b = await gateway(share, 2);
    expect(a.model.sharesTree && b.model.sharesTree).toBe(true);
    expect(b.model.root).toBe(a.model.root);
    expect(b.model.requireNode(CELL)).toBe(a.model.requireNode(CELL));
    expect(await serialOf(a)).not.toBe(await serialOf(b));
    expect(await serialOf(b)).toMatch(/^EXN\d{4}000002$/);
  });

  it('give an agent whose build differs a tree of its own (logged), without leaking its parameters into the others', async () => {
    const share = new SharedSupportedModel();
    const a = await gateway(share, 1);
    const lines: string[] = [];
    const vendor = await gateway(share, 2, { vendorPrefix: PREFIX, log: createLogger('warn', 'agent', (_l, s) => lines.push(s)) });
    expect(lines.join('\n')).toMatch(/supported model differs from the shared one; this agent builds its own/);
    expect(vendor.model.sharesTree).toBe(false);
    expect(vendor.model.requireNode(CELL).params.has(`${PREFIX}SINR`)).toBe(true);
    expect(a.model.requireNode(CELL).params.has(`${PREFIX}SINR`)).toBe(false);
    // The shared tree is as the first built it: a third agent like it still shares it.
    const c = await gateway(share, 3);
    expect(c.model.root).toBe(a.model.root);
    expect(c.model.requireNode(CELL).params.has(`${PREFIX}SINR`)).toBe(false);
  });

  it('give an agent with plugins a tree of its own (a plugin reads the model while building it)', async () => {
    const share = new SharedSupportedModel();
    const a = await gateway(share, 1);
    const plugged = await gateway(share, 2, { plugins: [USB_PLUGIN], vendorPrefix: PREFIX });
    expect(plugged.model.sharesTree).toBe(false);
    expect(plugged.model.root).not.toBe(a.model.root);
    expect(plugged.model.requireNode('Device.DeviceInfo.').params.has(`${PREFIX}USBDeviceCount`)).toBe(true);
    expect(a.model.requireNode('Device.DeviceInfo.').params.has(`${PREFIX}USBDeviceCount`)).toBe(false);
  });
});
