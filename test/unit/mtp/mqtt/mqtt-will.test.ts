/**
 * Device.MQTT.Client.{i}.Will* into the MQTT CONNECT (mtp/mqtt/mqtt-will.ts): which Will fields
 * and MQTT 5.0 Will properties go out, and which Wills leave the client Error_Misconfigured.
 */
import { describe, expect, it } from 'vitest';
import { connectWill, topicNameProblem, willProblem, type MqttWill } from '../../../../mtp/mqtt/mqtt-will.js';

const WILL: MqttWill = {
  enable: true,
  topic: 'gw/1/status',
  value: 'offline',
  qos: 1,
  retain: true,
  delayInterval: 5,
  messageExpiryInterval: 0,
  contentType: '',
  responseTopic: '',
};

describe('connectWill', () => {
  it('sends no Will while WillEnable is false', () => {
    expect(connectWill(undefined, true)).toBeUndefined();
    expect(connectWill({ ...WILL, enable: false }, false)).toBeUndefined();
  });

  it('MQTT 3.1.1: topic, UTF-8 payload, QoS and Retain, no properties', () => {
    const w = connectWill({ ...WILL, contentType: 'text/plain' }, false);
    expect(w).toEqual({ topic: 'gw/1/status', payload: Buffer.from('offline'), qos: 1, retain: true });
  });

  it('MQTT 5.0: the Will properties that are set, none of the unset ones', () => {
    expect(connectWill({ ...WILL, delayInterval: 0 }, true)?.properties).toBeUndefined();
    const all = connectWill({ ...WILL, messageExpiryInterval: 60, contentType: 'text/plain', responseTopic: 'gw/1/ack' }, true);
    expect(all?.properties).toEqual({ messageExpiryInterval: 60, contentType: 'text/plain', responseTopic: 'gw/1/ack' });
  });

  it('MQTT 5.0: WillDelayInterval (TR-181 default 5 s) only for a session that outlives its connection, at most its Session Expiry Interval', () => {
    // The MTP's sessions end with the connection: the broker must publish the Will at once (MQTT 5.0 §3.1.3.2.2).
    expect(connectWill(WILL, true)?.properties).toBeUndefined();
    expect(connectWill(WILL, true, 0)?.properties).toBeUndefined();
    expect(connectWill(WILL, true, 60)?.properties).toEqual({ willDelayInterval: 5 });
    expect(connectWill(WILL, true, 2)?.properties).toEqual({ willDelayInterval: 2 });
  });
});

describe('willProblem (TR-181 WillEnable: Error_Misconfigured)', () => {
  it('accepts a disabled Will whatever it holds, and a complete one', () => {
    expect(willProblem(undefined)).toBeUndefined();
    expect(willProblem({ ...WILL, enable: false, topic: '' })).toBeUndefined();
    expect(willProblem(WILL)).toBeUndefined();
  });

  it('refuses an enabled Will with an empty WillTopic or WillValue, or a wildcard topic', () => {
    expect(willProblem({ ...WILL, topic: '' })).toMatch(/WillTopic is empty/);
    expect(willProblem({ ...WILL, value: '' })).toMatch(/WillValue is empty/);
    expect(willProblem({ ...WILL, topic: 'gw/+/status' })).toMatch(/wildcard/);
    expect(willProblem({ ...WILL, responseTopic: 'gw/#' })).toMatch(/wildcard/);
  });
});

describe('topicNameProblem (MQTT §4.7.3)', () => {
  it('takes topic names and refuses filters, empty names and NUL', () => {
    expect(topicNameProblem('a/b/c')).toBeUndefined();
    expect(topicNameProblem('/usp/endpoint')).toBeUndefined();
    for (const bad of ['', 'a/+', '#', 'a/#', 'a\u0000b']) expect(topicNameProblem(bad), bad).toBeDefined();
  });
});
