/**
 * Device.BulkData over MQTT (TR-369 Annex A): a real Mosquitto, the real agent whose only MTP is
 * MQTT 5.0, a controller that speaks USP over MQTT (Add/Set/Operate, and receives Push! Notify
 * messages on its topic), and a bare MQTT.js subscriber that reads the reports a Protocol MQTT
 * Profile publishes through Device.MQTT.Client.1. TP-469 10.13 is the case of that name here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import type { NotifyReq, Request, UspMsg } from '../../agent/codec/types.js';
import { StartedMqtt } from '../../agent/transports/start-mqtt.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { testSchema } from '../peers/agent-fixture.js';
import { add, get, operate, set, subscribePush } from '../peers/controller-steps.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { mqttAgentDefaults } from '../peers/mqtt-agent-defaults.js';

const AGENT_EID = 'proto::agent-bulkdata-mqtt';
const CONTROLLER_EID = 'proto::controller-bulkdata-mqtt';
const AGENT_TOPIC = '/bulk/agent';
const CONTROLLER_TOPIC = '/bulk/controller';

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A USP controller over MQTT 5.0: requests on the agent's topic, answers and Notify on its own. */
class MqttController {
  readonly msgs: UspMsg[] = [];
  private seq = 0;
  private constructor(private readonly client: MqttClient) {
    client.on('message', (_t, payload) => {
      try {
        const r = decodeRecord(new Uint8Array(payload));
        if (r.body.kind === 'noSessionContext') this.msgs.push(decodeMsg(r.body.payload));
      } catch {
        /* not a USP Record */
      }
    });
  }

  static async connect(port: number): Promise<MqttController> {
    const client = await connectAsync({ host: '127.0.0.1', port, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 2000 });
    await client.subscribeAsync(CONTROLLER_TOPIC, { qos: 1 });
    return new MqttController(client);
  }

  async send(request: Request): Promise<UspMsg> {
    const msgId = `bulk-${++this.seq}`;
    const bytes = encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: CONTROLLER_EID }, encodeMsg(requestMsg(msgId, request))));
    await this.client.publishAsync(AGENT_TOPIC, Buffer.from(bytes), { qos: 1, properties: { responseTopic: CONTROLLER_TOPIC, contentType: 'usp.msg' } });
    return until(() => this.msgs.find((m) => m.header.msgId === msgId && m.body.msgBody !== 'request'), 5000, `the answer to ${msgId}`);
  }

  pushes(profile: string): string[] {
    return this.msgs.flatMap((m) => {
      if (m.body.msgBody !== 'request' || m.body.request.reqType !== 'notify') return [];
      const n: NotifyReq = m.body.request.notify;
      return n.notification === 'event' && n.event.eventName === 'Push!' && n.event.objPath === profile ? [n.event.params?.Data ?? ''] : [];
    });
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}

interface Received {
  topic: string;
  payload: string;
  props: IPublishPacket['properties'];
  retain: boolean;
}

let broker: Mosquitto;
let agent: Agent;
let dir: string;
let ctl: MqttController;

beforeAll(async () => {
  // A broker that grants QoS 1 at most and keeps no retained messages (MQTT 5.0 CONNACK Maximum QoS, Retain Available).
  broker = await startMosquitto({ extraConfig: ['max_qos 1', 'retain_available false'] });
  dir = mkdtempSync(join(tmpdir(), 'usp-agent-bulk-mqtt-'));
  agent = await Agent.start({
    defaults: {
      ...mqttAgentDefaults({ agentEid: AGENT_EID, controllerEid: CONTROLLER_EID, controllerTopic: CONTROLLER_TOPIC, brokerPort: broker.port, version: '5.0', subscription: AGENT_TOPIC }),
      'Device.BulkData.Enable': true,
    },
    dataDir: dir,
    platform: 'simulated',
    log: silentLogger,
    seed: 42,
    schema: testSchema(),
    bulkData: { minReportingInterval: 1 },
  });
  const mtp = (): StartedMqtt | undefined => agent.controllerLinks.find((x): x is StartedMqtt => x instanceof StartedMqtt);
  await until(() => (mtp()?.client.connected ? true : undefined), 5000, 'the agent to connect');
  ctl = await MqttController.connect(broker.port);
}, 20_000);
afterAll(async () => {
  await ctl?.end();
  await agent?.stop();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Device.BulkData with an MQTT controller and MQTT reports', () => {
  it('a controller over MQTT subscribed to Push! receives reports at the interval (USPEventNotif)', async () => {
    const p = await add(ctl, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON', ReportingInterval: '1' });
    await add(ctl, `${p}Parameter.`, { Reference: 'Device.DeviceInfo.UpTime', Name: 'UpTime' });
    await set(ctl, `${p}JSONEncoding.`, { ReportFormat: 'NameValuePair' });
    await subscribePush(ctl, 'bulk-mqtt', `${p}Push!`);
    await set(ctl, p, { Enable: 'true' });
    const [a, b] = await until(
      () => {
        const got = ctl.pushes(p);
        return got.length >= 2 ? got : undefined;
      },
      10_000,
      'two Push! over MQTT',
    );
    for (const d of [a, b]) expect(typeof (JSON.parse(d) as { Report: Array<{ UpTime: number }> }).Report[0].UpTime).toBe('number');
    await set(ctl, p, { Enable: 'false' });
  });

  it('TP-469 10.13: a Protocol MQTT Profile made as the case says (JSON, MQTT.Reference, PublishTopic mqtt-bulkdata, UpTime) publishes 2 parsable reports within 2 × ReportingInterval + 10 s', async () => {
    const reader = await connectAsync({ host: '127.0.0.1', port: broker.port, protocolVersion: 5, reconnectPeriod: 0 });
    const got: string[] = [];
    reader.on('message', (topic, payload) => {
      if (topic === 'mqtt-bulkdata') got.push(payload.toString('utf8'));
    });
    await reader.subscribeAsync('mqtt-bulkdata', { qos: 1 });
    try {
      // "max(60, MinReportingInterval)" with MinReportingInterval shortened to 1 s: the wait is 12 s.
      const p = await add(ctl, 'Device.BulkData.Profile.', {
        Protocol: 'MQTT',
        EncodingType: 'JSON',
        ReportingInterval: '1',
        'MQTT.Reference': 'Device.MQTT.Client.1',
        'MQTT.PublishTopic': 'mqtt-bulkdata',
      });
      await add(ctl, `${p}Parameter.`, { Name: 'UpTime', Reference: 'Device.DeviceInfo.UpTime' });
      await set(ctl, 'Device.BulkData.', { Enable: 'true' });
      await set(ctl, p, { Enable: 'true' });
      const [a, b] = await until(() => (got.length >= 2 ? got : undefined), 12_000, 'two reports on mqtt-bulkdata');
      await set(ctl, p, { Enable: 'false' });
      // The default JSON ReportFormat (ObjectHierarchy): the Name is the whole name of the one parameter.
      for (const d of [a, b]) {
        const report = (JSON.parse(d) as { Report: Array<Record<string, unknown>> }).Report;
        expect(report).toHaveLength(1);
        expect(Object.keys(report[0]).filter((k) => k !== 'CollectionTime')).toEqual(['UpTime']);
        expect(typeof report[0].UpTime).toBe('number');
      }
    } finally {
      await reader.endAsync(true);
    }
  });

  it('a Protocol MQTT Profile publishes to PublishTopic through Device.MQTT.Client.1 with the Content Type (R-BULK.8a), QoS and Retain lowered to what the broker CONNACK allows; ForceCollection() too', async () => {
    const reader = await connectAsync({ host: '127.0.0.1', port: broker.port, protocolVersion: 5, reconnectPeriod: 0 });
    const got: Received[] = [];
    reader.on('message', (topic, payload, packet) => {
      got.push({ topic, payload: payload.toString('utf8'), props: packet.properties, retain: packet.retain });
    });
    await reader.subscribeAsync('/bulk/reports/#', { qos: 1 });
    try {
      const p = await add(ctl, 'Device.BulkData.Profile.', { Protocol: 'MQTT', EncodingType: 'CSV', ReportingInterval: '1' });
      await add(ctl, `${p}Parameter.`, { Reference: 'Device.DeviceInfo.SerialNumber', Name: 'serial' });
      await set(ctl, `${p}CSVEncoding.`, { ReportFormat: 'ParameterPerRow', RowTimestamp: 'None' });
      // QoS 2 and Retain asked for; the broker allows neither: the Agent MUST use QoS 1 and RETAIN 0 (TR-181 PublishQoS, PublishRetain).
      await set(ctl, `${p}MQTT.`, { Reference: 'Device.MQTT.Client.1', PublishTopic: '/bulk/reports/csv', PublishQoS: '2', PublishRetain: 'true' });
      expect((await operate(ctl, `${p}ForceCollection()`)).ok).toBe(true);
      const first = await until(() => got.find((m) => m.topic === '/bulk/reports/csv'), 5000, 'the forced report');
      const serial = await get(ctl, 'Device.DeviceInfo.SerialNumber');
      expect(first.payload).toBe(`ParameterName,ParameterValue,ParameterType\r\nserial,${serial},string\r\n`);
      expect(first.props?.contentType).toBe('text/csv; charset=UTF-8');
      expect(first.retain).toBe(false);
      // Then at the interval once enabled.
      await set(ctl, p, { Enable: 'true' });
      await until(() => (got.filter((m) => m.topic === '/bulk/reports/csv').length >= 3 ? true : undefined), 8000, 'two more reports at the interval');
      await set(ctl, p, { Enable: 'false' });
    } finally {
      await reader.endAsync(true);
    }
  });
});
