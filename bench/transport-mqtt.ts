/**
 * MQTT round trip: pipelined one-parameter Gets through a real Mosquitto (nodelay) to the agent
 * PROCESS, whose MQTT 5.0 MTP is configured only through its factory defaults (Device.MQTT.
 * Client.1 + Device.LocalAgent.MTP.2), against a bare MQTT.js echo process through the same
 * broker that answers with the GetResp Records recorded from the agent (same payload sizes,
 * same PUBLISH options). Both paths are driven by the same controller code (mqtt-client.ts) and
 * alternate round by round.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';
import { decodeRecord } from '../agent/codec/record.js';
import type { MqttQoS } from '../mtp/mqtt/topics.js';
import { benchDefaults } from './agent-config.js';
import { exitAsError, stopChild, track } from './children.js';
import { writeResponses } from './echo-responses.js';
import { figure } from './figure.js';
import { startMosquitto } from './mosquitto.js';
import { MqttBenchClient } from './mqtt-client.js';
import { alternate, nextMessage, peerFigures, rate, recordAnswers, type TransportRun } from './pipe-client.js';
import { freePort } from './port.js';
import { spawnConfiguredAgent } from './spawn-configured.js';
import { round } from './stats.js';

const AGENT_TOPIC = '/usp/bench-agent';
const CONTROLLER_TOPIC = '/usp/bench-controller';
const ECHO_TOPIC = '/bench/mqtt-echo';
const ECHO_REPLY_TOPIC = '/bench/mqtt-echo-reply';
const QOS: MqttQoS = 1;

/** The bench defaults (plain WebSocket server, for readiness) plus an MQTT 5.0 MTP and the controller's MQTT topic. */
function mqttDefaults(wsPort: number, brokerPort: number): DefaultsFile {
  return {
    ...benchDefaults(wsPort),
    'Device.MQTT.Client.1.Enable': true,
    'Device.MQTT.Client.1.BrokerAddress': '127.0.0.1',
    'Device.MQTT.Client.1.BrokerPort': brokerPort,
    'Device.MQTT.Client.1.ProtocolVersion': '5.0',
    'Device.MQTT.Client.1.ConnectRetryTime': 1,
    'Device.MQTT.Client.1.Subscription.1.Enable': true,
    'Device.MQTT.Client.1.Subscription.1.Topic': AGENT_TOPIC,
    'Device.MQTT.Client.1.Subscription.1.QoS': QOS,
    'Device.LocalAgent.MTP.2.Enable': true,
    'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
    'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
    'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured': AGENT_TOPIC,
    'Device.LocalAgent.MTP.2.MQTT.PublishQoS': QOS,
    'Device.LocalAgent.Controller.1.MTP.1.Enable': true,
    'Device.LocalAgent.Controller.1.MTP.1.Protocol': 'MQTT',
    'Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic': CONTROLLER_TOPIC,
  };
}

/** Spawns mqtt-echo.js and resolves once it printed "ready" (subscribed). */
async function spawnMqttEcho(brokerPort: number, responsesFile: string): Promise<{ stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./mqtt-echo.js', import.meta.url));
  const child = track(spawn(process.execPath, [script, String(brokerPort), ECHO_TOPIC, String(QOS), responsesFile], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const died = exitAsError(child, 'mqtt-echo');
  const ready = new Promise<void>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('mqtt-echo not ready within 10 s')), 10_000).unref());
  try {
    await Promise.race([ready, died, timeout]);
  } catch (e) {
    await stopChild(child, 'SIGKILL');
    throw e;
  }
  died.catch(() => undefined);
  return { stop: () => stopChild(child) };
}

export async function measureMqtt(run: TransportRun, work: string): Promise<Record<string, unknown>> {
  run.progress('transports: MQTT, starting Mosquitto and the agent process with an MQTT 5.0 MTP');
  const broker = await startMosquitto();
  const stops: Array<() => Promise<void>> = [() => broker.stop()];
  try {
    const toAgent = await MqttBenchClient.connect(broker.port, AGENT_TOPIC, CONTROLLER_TOPIC, QOS);
    stops.push(() => toAgent.close());
    // Subscribed before the agent starts, so its MQTTConnectRecord (sent once it has subscribed) is seen.
    const announced = nextMessage(toAgent, 15_000, 'MQTTConnectRecord from the agent');
    const wsPort = await freePort();
    const agent = await spawnConfiguredAgent(mqttDefaults(wsPort, broker.port), wsPort, 'agent (MQTT)');
    stops.push(() => agent.stop());
    const connect = decodeRecord(await announced);
    if (connect.body.kind !== 'mqttConnect') throw new Error(`expected an MQTTConnectRecord, got ${connect.body.kind}`);

    const recorded = await recordAnswers(toAgent, run.records);
    const responsesFile = join(work, 'mqtt-responses.bin');
    writeResponses(responsesFile, recorded);
    const echo = await spawnMqttEcho(broker.port, responsesFile);
    stops.push(() => echo.stop());
    const toEcho = await MqttBenchClient.connect(broker.port, ECHO_TOPIC, ECHO_REPLY_TOPIC, QOS);
    stops.push(() => toEcho.close());

    const totals = await alternate(
      [
        { name: 'transports: MQTT agent', client: toAgent },
        { name: 'transports: MQTT echo', client: toEcho },
      ],
      run.records,
      run.opts,
      run.rounds,
      run.progress,
    );
    const a = totals.get('transports: MQTT agent')!;
    const e = totals.get('transports: MQTT echo')!;
    return {
      note: `Get Device.DeviceInfo.SerialNumber, ${run.opts.inFlight} in flight, published with QoS ${QOS} (MQTT 5, Response Topic, content type usp.msg) through Mosquitto ${broker.version} on loopback (set_tcp_nodelay true) to the agent process (MQTT MTP from its factory defaults, PublishQoS ${QOS}); baseline: a bare MQTT.js echo process through the same broker answering with the GetResp Records recorded from the agent, same PUBLISH options; the controller side is one MQTT.js connection per path, same code; ${run.rounds} alternating rounds of ${run.opts.warmupMs} ms warm-up + ${run.opts.measureMs} ms measured`,
      requestRecordBytes: run.records[0]!.length,
      responseRecordBytes: recorded[0]!.length,
      agent: peerFigures(a),
      mqttEcho: peerFigures(e),
      ratioAgentToEcho: figure(round(rate(a) / rate(e), 3), 'x', undefined, 'requests/s of the agent path / requests/s of the bare echo path'),
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
