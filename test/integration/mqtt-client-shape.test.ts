/**
 * What one idle MQTT.js client costs in a fleet (issue 14): the client object must stay a V8
 * object with fields, not turn into a hash table (dictionary mode, ~1.6 KB instead of ~0.4 KB
 * per gateway) when its CONNACK arrives. The shipped MQTT.js chunk (dist/chunks/mqtt.cjs, so
 * `npm run build` first; tools/bundle.mjs) against a real Mosquitto, which allows Topic Aliases
 * (the case where MQTT.js makes, then the MTP drops, the alias cache).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type * as Mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trimAfterConnack } from '../../mtp/mqtt/mqtt-client-trim.js';
import { REPO } from '../peers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';

// V8's own answer: a function compiled after this flag may ask it (functions compiled before are unaffected).
setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

const shipped = createRequire(import.meta.url)(join(REPO, 'dist/chunks/mqtt.cjs')) as typeof Mqtt;
const unpatched = createRequire(import.meta.url)('mqtt') as typeof Mqtt;

let broker: Mosquitto;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  await broker?.stop();
});

/** A connected MQTT 5 client of `lib`, as the MTP configures one, trimmed as the MTP does at CONNACK. */
async function connected(lib: typeof Mqtt, clientId: string): Promise<Mqtt.MqttClient> {
  const client = lib.connect({ host: '127.0.0.1', port: broker.port, protocolVersion: 5, clientId, reconnectPeriod: 0, log: () => undefined });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => {
      trimAfterConnack(client);
      resolve();
    });
    client.once('error', reject);
  });
  return client;
}

describe('an MQTT.js client after CONNACK', () => {
  it('keeps its fields (no dictionary mode) in the shipped chunk, without the Topic Alias cache or the spent CONNACK timer', async () => {
    const client = await connected(shipped, 'shape-shipped');
    try {
      expect(client.connected).toBe(true);
      expect(hasFastProperties(client)).toBe(true);
      const held = client as unknown as { topicAliasSend?: unknown; connackTimer?: unknown };
      expect(held.topicAliasSend).toBeUndefined();
      expect(held.connackTimer).toBeNull();
      // Still publishes (QoS 1: the PUBACK comes back) without the alias cache.
      await client.publishAsync('shape/test', 'x', { qos: 1 });
    } finally {
      await client.endAsync();
    }
  });

  it('turns into a dictionary with MQTT.js as published (its `delete client.topicAliasSend` at CONNACK): why tools/bundle.mjs rewrites it', async () => {
    // If this fails, MQTT.js no longer deletes the property and bundle.mjs's mqttClientShape can go.
    const client = await connected(unpatched, 'shape-unpatched');
    try {
      expect(hasFastProperties(client)).toBe(false);
    } finally {
      await client.endAsync();
    }
  });
});
