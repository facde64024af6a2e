/**
 * `--mqtt-broker mosquitto|off` and the defaults file's `$mqttBroker`: whether the platform runs
 * Mosquitto for Device.MQTT.Broker.{i}. (Linux and OpenWrt: its own Mosquitto per row; on OpenWrt
 * UCI `mqtt_broker`). Default off: a broker is a listening service, so it is only there when asked for.
 */

/** The key of the defaults file switching the platform's MQTT broker (`--mqtt-broker`). */
export const MQTT_BROKER_KEY = '$mqttBroker';

/** `--mqtt-broker` text: mosquitto (also on/true/1) or off (also false/0). */
export function parseMqttBrokerOption(text: string, source = '--mqtt-broker'): boolean {
  const t = text.trim().toLowerCase();
  if (['mosquitto', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give mosquitto (serve Device.MQTT.Broker. through Mosquitto) or off (no broker)`);
}

/** The defaults file's `$mqttBroker` value ("mosquitto"/"off" or true/false), checked; undefined when absent. */
export function mqttBrokerFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseMqttBrokerOption(value, `factory defaults: ${MQTT_BROKER_KEY} (${file})`);
  throw new Error(`factory defaults: ${MQTT_BROKER_KEY} (${file}): must be "mosquitto" or "off"`);
}
