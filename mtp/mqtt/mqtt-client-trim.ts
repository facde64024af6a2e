/**
 * What an MQTT.js client holds after CONNACK that the agent never uses, dropped so that an idle
 * connection costs little: a fleet runs 10,000 of them in one process (issue 14).
 */
import type { MqttClient } from 'mqtt';

/**
 * After CONNACK: the outgoing Topic Alias cache and the spent CONNACK timer.
 *
 * MQTT.js keeps an LRU cache of outgoing Topic Aliases whenever the broker allows any (Mosquitto:
 * 10), ~1.5 KB. The agent never sends a Topic Alias (MQTT 5.0 §3.3.2.3.4: its publishes name
 * their topic), so the cache goes. It is set to undefined, not deleted: deleting a property that
 * was not the last one added turns the client into a hash table of ~1.6 KB (V8 dictionary mode)
 * instead of ~0.4 KB of fields; MQTT.js only tests it for truth. The CONNACK timer was cleared
 * when the CONNACK came, but the client keeps its Timeout object until the next connection.
 */
export function trimAfterConnack(client: MqttClient): void {
  Reflect.set(client, 'topicAliasSend', undefined);
  Reflect.set(client, 'connackTimer', null);
}
