/**
 * Device.MQTT.Broker.{i}.Bridge.{i}. with its Server.{i}. and Subscription.{i}. tables
 * (MQTTBrokerBridgeBase:1): the rows' checks and what a bridge needs to run, the same for every
 * platform. Pure: no file, no process.
 *
 * What is served is what a Mosquitto bridge can be told (mosquitto.conf(5), "Bridges"): the
 * parameters left out (ProtocolVersion, TransportProtocol, ClientID, MessageRetryTime,
 * ServerSelectionAlgorithm, Server.Weight, CleanStart) are not claimed. The Servers of a bridge
 * are tried by Priority (lowest first; Mosquitto's `address` list, the first one its primary).
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { BadParam } from '../stored-table.js';

export const BRIDGE = 'Device.MQTT.Broker.{i}.Bridge.{i}.';
export const BRIDGE_SERVER = 'Device.MQTT.Broker.{i}.Bridge.{i}.Server.{i}.';
export const BRIDGE_SUBSCRIPTION = 'Device.MQTT.Broker.{i}.Bridge.{i}.Subscription.{i}.';

/** Bounds per broker and per bridge: each bridge is one more connection the broker keeps up. */
export const MAX_BRIDGES = 4;
export const MAX_BRIDGE_SERVERS = 4;
export const MAX_BRIDGE_SUBSCRIPTIONS = 16;

export const BRIDGE_PARAMS = ['Alias', 'Name', 'Enable', 'Status', 'ServerConnection', 'Username', 'Password', 'KeepAliveTime', 'ConnectRetryTime', 'CleanSession'];
export const BRIDGE_LIVE: ReadonlySet<string> = new Set(['Status', 'ServerConnection']);
export const SERVER_PARAMS = ['Alias', 'Enable', 'Priority', 'Address', 'Port'];
export const SUBSCRIPTION_PARAMS = ['Alias', 'Enable', 'Status', 'Topic', 'Direction', 'QoS', 'LocalPrefix', 'RemotePrefix'];
export const SUBSCRIPTION_LIVE: ReadonlySet<string> = new Set(['Status']);
/** TR-181 gives Direction no default: Mosquitto's own (`out`), at QoS 0. */
export const SUBSCRIPTION_DEFAULTS: Readonly<Record<string, Value>> = Object.freeze({ Direction: 'out', QoS: 0 });

/** Mosquitto sends a bridge's keep-alive at least every 5 s (it raises a lower value, and has no "none"). */
export const MIN_KEEPALIVE_S = 5;

type Row = Readonly<Record<string, Value>>;

/** One configuration line carries each value: no control characters, and no spaces where Mosquitto splits on them. */
const NO_CONTROL_RE = /^[^\p{Cc}]*$/u;
const TOKEN_RE = /^[^\s\p{Cc}]*$/u;
/** A host name (RFC 1123 labels) or an IPv4 address: what Mosquitto's `address host:port` takes. */
const HOST_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** What is wrong with bridge row `v` after `changes` (7012). */
export function bridgeProblems(v: Row, changes: Row): BadParam[] {
  const bad: BadParam[] = [];
  if (changes.Name !== undefined && !NO_CONTROL_RE.test(String(v.Name ?? ''))) bad.push({ param: 'Name', message: 'must hold no control characters' });
  if (changes.Username !== undefined && !TOKEN_RE.test(String(v.Username ?? ''))) bad.push({ param: 'Username', message: 'must hold no spaces or control characters' });
  const pw = String(v.Password ?? '');
  if (changes.Password !== undefined && (!NO_CONTROL_RE.test(pw) || pw.trim() !== pw)) bad.push({ param: 'Password', message: 'must hold no control characters, nor begin or end with a space' });
  if (changes.KeepAliveTime !== undefined && Number(v.KeepAliveTime) < MIN_KEEPALIVE_S)
    bad.push({ param: 'KeepAliveTime', message: `the bridge sends a keep-alive at least every ${MIN_KEEPALIVE_S} s (0, none, is not available)` });
  return bad;
}

/** What is wrong with Server row `v` after `changes` (7012). */
export function serverProblems(v: Row, changes: Row): BadParam[] {
  const address = String(v.Address ?? '');
  if (changes.Address !== undefined && address !== '' && !HOST_RE.test(address)) return [{ param: 'Address', message: 'must be a host name or an IPv4 address' }];
  return [];
}

/** Whether `topic` is an MQTT topic filter (wildcards as whole levels, `#` last) that fits one configuration line. */
export function topicFilterProblem(topic: string): string | undefined {
  if (!TOKEN_RE.test(topic)) return 'must hold no spaces or control characters';
  const levels = topic.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return "'#' must be the whole last level";
    if (level.includes('+') && level !== '+') return "'+' must be a whole level";
  }
  return undefined;
}

/** What is wrong with Subscription row `v` after `changes` (7012). */
export function subscriptionProblems(v: Row, changes: Row): BadParam[] {
  const bad: BadParam[] = [];
  if (changes.Topic !== undefined && String(v.Topic ?? '') !== '') {
    const why = topicFilterProblem(String(v.Topic));
    if (why !== undefined) bad.push({ param: 'Topic', message: why });
  }
  for (const param of ['LocalPrefix', 'RemotePrefix']) {
    const p = String(v[param] ?? '');
    if (changes[param] !== undefined && (!TOKEN_RE.test(p) || /[#+]/.test(p))) bad.push({ param, message: 'must hold no wildcards, spaces or control characters' });
  }
  return bad;
}

/** A Server a bridge can use: enabled, with an Address. */
export function usableServer(s: Row): boolean {
  return s.Enable === true && String(s.Address ?? '') !== '';
}

/** A Subscription a bridge carries: enabled, with a Topic. */
export function usableSubscription(s: Row): boolean {
  return s.Enable === true && String(s.Topic ?? '') !== '';
}

/** Why an enabled bridge cannot run (Status Error_Misconfigured, TR-181: e.g. no active Server), undefined when it can. */
export function bridgeMisconfigured(servers: readonly Row[], subscriptions: readonly Row[]): string | undefined {
  if (!servers.some(usableServer)) return 'no enabled Server with an Address';
  // Mosquitto refuses a bridge with no topic (and with it the whole broker).
  if (!subscriptions.some(usableSubscription)) return 'no enabled Subscription with a Topic';
  return undefined;
}

/** The Servers in the order the bridge tries them: by Priority, then instance number. */
export function serversByPriority<T extends { n: number; row: Row }>(servers: readonly T[]): T[] {
  return servers.filter((s) => usableServer(s.row)).sort((a, b) => Number(a.row.Priority ?? 0) - Number(b.row.Priority ?? 0) || a.n - b.n);
}
