/**
 * The OpenWrt package's UCI `mqtt` section options for the MQTT client's Will
 * (openwrt/files/uci-defaults.mjs): `will_*` become Device.MQTT.Client.{i}.Will*, and the agent
 * takes the resulting factory defaults (strings, as UCI gives them) and serves them.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { REPO } from '../peers/agent-process.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { get } from '../peers/controller-steps.js';

/** `uci -q show usp-agent` of an `mqtt` section with a Will, as uci prints it. */
const UCI_SHOW = [
  'usp-agent.broker=mqtt',
  "usp-agent.broker.enabled='0'",
  "usp-agent.broker.broker_address='broker.example.net'",
  "usp-agent.broker.will_enabled='1'",
  "usp-agent.broker.will_topic='/usp/agent/status'",
  "usp-agent.broker.will_value='offline'",
  "usp-agent.broker.will_qos='1'",
  "usp-agent.broker.will_retain='1'",
  '',
].join('\n');

function uciDefaults(text: string): DefaultsFile {
  const script = `import { parseUciShow, toDefaults } from ${JSON.stringify(join(REPO, 'openwrt/files/uci-defaults.mjs'))};
    process.stdout.write(JSON.stringify(toDefaults(parseUciShow(${JSON.stringify(text)}), { macOf: () => 'f4:e2:c6:01:02:03' })));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as DefaultsFile;
}

let defaults: DefaultsFile;
let f: AgentFixture;

beforeAll(async () => {
  defaults = uciDefaults(UCI_SHOW);
  const { ['Device.LocalAgent.EndpointID']: _eid, ...mqtt } = defaults;
  f = await startAgent({ extra: mqtt });
});
afterAll(() => f?.close());

it('maps will_enabled, will_topic, will_value, will_qos and will_retain onto Device.MQTT.Client.1.Will*', () => {
  expect(defaults).toMatchObject({
    'Device.MQTT.Client.1.WillEnable': true,
    'Device.MQTT.Client.1.WillTopic': '/usp/agent/status',
    'Device.MQTT.Client.1.WillValue': 'offline',
    'Device.MQTT.Client.1.WillQoS': '1',
    'Device.MQTT.Client.1.WillRetain': true,
  });
});

it('the agent started from those defaults serves them', async () => {
  const C = 'Device.MQTT.Client.1.';
  expect(await get(f.controller, `${C}WillEnable`)).toBe('true');
  expect(await get(f.controller, `${C}WillTopic`)).toBe('/usp/agent/status');
  expect(await get(f.controller, `${C}WillValue`)).toBe('offline');
  expect(await get(f.controller, `${C}WillQoS`)).toBe('1');
  expect(await get(f.controller, `${C}WillRetain`)).toBe('true');
});
