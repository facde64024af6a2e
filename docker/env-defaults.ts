/**
 * The container's settings: environment variables → the agent's factory defaults and `run`
 * options. A pure function so that the translation is tested without a container, and so that no
 * shell quoting ever touches an Endpoint ID or a password.
 *
 * Precedence: the shipped simulated-gateway defaults, then the variables below on top of them; a
 * defaults file mounted into the container replaces both (the variables are then reported as
 * ignored). Like every factory default, the result seeds an empty data directory only: once
 * /data holds saved state, that state wins (README "The factory-defaults file").
 */
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';

/** The environment as `process.env` gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Every variable the container reads, with what it sets (printed by the error messages). */
export const CONTAINER_VARIABLES = {
  USP_ENDPOINT_ID: 'Device.LocalAgent.EndpointID',
  USP_CONTROLLER_ID: 'Device.LocalAgent.Controller.1.EndpointID',
  USP_WS_PORT: 'Device.LocalAgent.MTP.1.WebSocket.Port',
  USP_WS_PATH: 'Device.LocalAgent.MTP.1.WebSocket.Path',
  USP_WS_TLS: 'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption (needs USP_CA_FILE)',
  USP_MQTT_URL: 'Device.MQTT.Client.1 and Device.LocalAgent.MTP.2 (mqtt://[user:password@]host[:port] or mqtts://...)',
  USP_MQTT_TOPIC: "Device.MQTT.Client.1.Subscription.1.Topic, the agent's own topic (default /usp/endpoint)",
  USP_MQTT_CONTROLLER_TOPIC: 'Device.LocalAgent.Controller.1.MTP.2.MQTT.Topic (default /usp/controller)',
  USP_SEED: "--seed, the simulated gateway's seed",
  USP_LOG_LEVEL: '--log-level',
  USP_CERT_FILE: "--cert, the agent's PEM certificate",
  USP_KEY_FILE: '--key, the private key of USP_CERT_FILE',
  USP_CA_FILE: '--ca, the CA that controller (and broker) certificates chain to',
  USP_FIRMWARE_TRUST_DIR: '--firmware-trust, a directory of PEM keys that firmware images must be signed with',
} as const;

export type ContainerVariable = keyof typeof CONTAINER_VARIABLES;

/** What the entry script starts the agent with. */
export interface ContainerSettings {
  /** The factory-defaults document to hand to `usp-agent run --defaults`. */
  defaults: DefaultsFile;
  /** Options for `usp-agent run` after `--defaults` and `--data-dir`. */
  args: string[];
  /** Variables that changed the defaults or the options. */
  applied: ContainerVariable[];
  /** Variables that were set but had no effect because a defaults file was mounted. */
  ignored: ContainerVariable[];
}

/** A variable whose value cannot be used; the message names it and the fix. */
export class ContainerSettingError extends Error {
  constructor(
    readonly variable: ContainerVariable,
    value: string,
    why: string,
  ) {
    super(`${variable}=${JSON.stringify(value)}: ${why}`);
  }
}

/** Bound to every address of the container (an empty Interfaces list), see settingsFromEnv. */
const CONTAINER_WS_INTERFACES = 'Device.LocalAgent.MTP.1.WebSocket.Interfaces';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];
/** Variables that are `run` options, not factory defaults: a mounted defaults file leaves them in force. */
export const OPTION_VARIABLES: readonly ContainerVariable[] = ['USP_SEED', 'USP_LOG_LEVEL', 'USP_CERT_FILE', 'USP_KEY_FILE', 'USP_CA_FILE', 'USP_FIRMWARE_TRUST_DIR'];

/**
 * The settings for `env`. `shipped` is the simulated gateway's defaults (examples/
 * factory-defaults.json); `mounted`, when present, is a defaults file the user mounted, which
 * wins over everything. Throws ContainerSettingError for a value that cannot be used.
 */
export function settingsFromEnv(env: Env, shipped: DefaultsFile, mounted?: DefaultsFile): ContainerSettings {
  const set = (name: ContainerVariable): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const present = (Object.keys(CONTAINER_VARIABLES) as ContainerVariable[]).filter((n) => set(n) !== undefined);
  const args = optionsFromEnv(set);
  const options = present.filter((n) => OPTION_VARIABLES.includes(n));
  if (mounted) {
    return { defaults: { ...mounted }, args, applied: options, ignored: present.filter((n) => !OPTION_VARIABLES.includes(n)) };
  }
  // The shipped example binds its WebSocket server to the loopback interface only (safe on a
  // host); inside a container loopback is unreachable from outside, so the server listens on all
  // of the container's addresses, and where the port is published decides who reaches it.
  const defaults: DefaultsFile = { ...shipped, [CONTAINER_WS_INTERFACES]: '' };
  const eid = set('USP_ENDPOINT_ID');
  if (eid !== undefined) defaults['Device.LocalAgent.EndpointID'] = endpointId('USP_ENDPOINT_ID', eid);
  const controller = set('USP_CONTROLLER_ID');
  if (controller !== undefined) defaults['Device.LocalAgent.Controller.1.EndpointID'] = endpointId('USP_CONTROLLER_ID', controller);
  const port = set('USP_WS_PORT');
  if (port !== undefined) defaults['Device.LocalAgent.MTP.1.WebSocket.Port'] = tcpPort('USP_WS_PORT', port);
  const path = set('USP_WS_PATH');
  if (path !== undefined) {
    if (!path.startsWith('/')) throw new ContainerSettingError('USP_WS_PATH', path, 'not a URL path; give one that starts with "/", e.g. USP_WS_PATH=/usp');
    defaults['Device.LocalAgent.MTP.1.WebSocket.Path'] = path;
  }
  const tls = set('USP_WS_TLS');
  if (tls !== undefined) {
    const on = flag('USP_WS_TLS', tls);
    if (on && set('USP_CA_FILE') === undefined)
      throw new ContainerSettingError('USP_WS_TLS', tls, 'a TLS WebSocket server verifies controller certificates: give USP_CA_FILE too (a mounted PEM file)');
    defaults['Device.LocalAgent.MTP.1.WebSocket.EnableEncryption'] = on;
  }
  const mqtt = set('USP_MQTT_URL');
  if (mqtt !== undefined) Object.assign(defaults, mqttDefaults(mqtt, set('USP_MQTT_TOPIC') ?? '/usp/endpoint', set('USP_MQTT_CONTROLLER_TOPIC') ?? '/usp/controller'));
  else
    for (const n of ['USP_MQTT_TOPIC', 'USP_MQTT_CONTROLLER_TOPIC'] as const) {
      const v = set(n);
      if (v !== undefined) throw new ContainerSettingError(n, v, 'has no effect without USP_MQTT_URL; give the broker too, e.g. USP_MQTT_URL=mqtt://mosquitto:1883');
    }
  return { defaults, args, applied: present, ignored: [] };
}

/** `usp-agent run` options from the option variables. */
function optionsFromEnv(set: (name: ContainerVariable) => string | undefined): string[] {
  const args: string[] = [];
  const seed = set('USP_SEED');
  if (seed !== undefined) {
    if (!/^\d+$/.test(seed) || !Number.isSafeInteger(Number(seed))) throw new ContainerSettingError('USP_SEED', seed, 'not a whole number; give one such as USP_SEED=1');
    args.push('--seed', seed);
  }
  const level = set('USP_LOG_LEVEL');
  if (level !== undefined) {
    if (!LOG_LEVELS.includes(level)) throw new ContainerSettingError('USP_LOG_LEVEL', level, `must be ${LOG_LEVELS.join(', ')}`);
    args.push('--log-level', level);
  }
  const cert = set('USP_CERT_FILE');
  const key = set('USP_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing]: [ContainerVariable, ContainerVariable] = cert !== undefined ? ['USP_CERT_FILE', 'USP_KEY_FILE'] : ['USP_KEY_FILE', 'USP_CERT_FILE'];
    throw new ContainerSettingError(given, (cert ?? key)!, `needs ${missing} too (the certificate and its private key go together)`);
  }
  if (cert !== undefined && key !== undefined) args.push('--cert', cert, '--key', key);
  const ca = set('USP_CA_FILE');
  if (ca !== undefined) args.push('--ca', ca);
  const trust = set('USP_FIRMWARE_TRUST_DIR');
  if (trust !== undefined) args.push('--firmware-trust', trust);
  return args;
}

/** TR-369 Endpoint IDs are `authority-scheme:[authority-id]:instance-id`, e.g. proto::agent-1. */
function endpointId(name: ContainerVariable, v: string): string {
  if (!/^[A-Za-z0-9-]+:[^:\s]*:\S+$/.test(v)) throw new ContainerSettingError(name, v, 'not a USP Endpoint ID; give one such as proto::usp-agent-sim (TR-369 "Endpoint Identifier")');
  return v;
}

function tcpPort(name: ContainerVariable, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new ContainerSettingError(name, v, 'not a TCP port; give a whole number from 1 to 65535, e.g. 9001');
  return n;
}

function flag(name: ContainerVariable, v: string): boolean {
  if (/^(true|1|yes|on)$/i.test(v)) return true;
  if (/^(false|0|no|off)$/i.test(v)) return false;
  throw new ContainerSettingError(name, v, 'give true or false');
}

/**
 * An MQTT broker as the README's MQTT example configures it: Device.MQTT.Client.1 on the broker
 * (MQTT 5), the agent subscribed to its own topic, LocalAgent.MTP.2 over that client, and
 * Controller.1 reached on the controller topic (TR-369 "MQTT Binding").
 */
function mqttDefaults(raw: string, agentTopic: string, controllerTopic: string): DefaultsFile {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ContainerSettingError('USP_MQTT_URL', raw, 'not a URL; give mqtt://host:1883 or mqtts://host:8883');
  }
  const tls = url.protocol === 'mqtts:';
  if (!tls && url.protocol !== 'mqtt:') throw new ContainerSettingError('USP_MQTT_URL', raw, 'the scheme must be mqtt: or mqtts:, e.g. mqtt://mosquitto:1883');
  if (!url.hostname) throw new ContainerSettingError('USP_MQTT_URL', raw, 'names no broker host; e.g. mqtt://mosquitto:1883');
  if (url.pathname !== '' && url.pathname !== '/') throw new ContainerSettingError('USP_MQTT_URL', raw, 'a broker URL has no path; give the topics in USP_MQTT_TOPIC and USP_MQTT_CONTROLLER_TOPIC');
  const C = 'Device.MQTT.Client.1.';
  // URL keeps IPv6 literals bracketed; BrokerAddress holds the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    [`${C}Enable`]: true,
    [`${C}BrokerAddress`]: host,
    [`${C}BrokerPort`]: url.port ? Number(url.port) : tls ? 8883 : 1883,
    [`${C}TransportProtocol`]: tls ? 'TLS' : 'TCP/IP',
    [`${C}ProtocolVersion`]: '5.0',
    ...(url.username ? { [`${C}Username`]: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { [`${C}Password`]: decodeURIComponent(url.password) } : {}),
    [`${C}Subscription.1.Enable`]: true,
    [`${C}Subscription.1.Topic`]: agentTopic,
    'Device.LocalAgent.MTP.2.Enable': true,
    'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
    'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
    'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured': agentTopic,
    'Device.LocalAgent.Controller.1.MTP.2.Enable': true,
    'Device.LocalAgent.Controller.1.MTP.2.Protocol': 'MQTT',
    'Device.LocalAgent.Controller.1.MTP.2.MQTT.Topic': controllerTopic,
  };
}
