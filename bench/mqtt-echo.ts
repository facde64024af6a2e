/**
 * Baseline peer for the MQTT round trip: a bare MQTT.js client in its own process, subscribed to
 * a request topic through the same broker, that answers the n-th request with the n-th
 * (cyclically) of the response Records the bench recorded from the agent, published to the
 * request's Response Topic with the agent's own PUBLISH options (QoS, content type, reply-to).
 * Same payloads both ways, so only the agent's work differs. Prints "ready" once subscribed.
 *
 *   node dist/bench/mqtt-echo.js PORT REQUEST_TOPIC QOS RESPONSES_FILE
 */
import { publishOptions } from '../mtp/mqtt/MqttTopicConnection.js';
import type { MqttQoS } from '../mtp/mqtt/topics.js';
import { readResponses } from './echo-responses.js';
import { connectMqtt } from './mqtt-client.js';

const [port, topic, qosText, file] = process.argv.slice(2);
if (!port || !topic || !qosText || !file) {
  process.stderr.write('usage: mqtt-echo PORT REQUEST_TOPIC QOS RESPONSES_FILE\n');
  process.exit(2);
}
const qos = Number(qosText) as MqttQoS;
const responses = readResponses(file);
const client = await connectMqtt(Number(port));
const opts = publishOptions(true, qos, false, topic);
let n = 0;
client.on('message', (_topic, _payload, packet) => {
  const to = packet.properties?.responseTopic;
  if (to) client.publish(to, responses[n++ % responses.length]!, opts);
});
await client.subscribeAsync(topic, { qos });
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
