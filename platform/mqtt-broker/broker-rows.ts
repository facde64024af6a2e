/**
 * Device.MQTT.Broker.{i}. (MQTTBrokerBase:1, MQTTBrokerExtended:1): the rows' checks and the
 * Mosquitto password file made from them, the same for every platform that runs Mosquitto.
 * Pure: no file, no process.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Value } from '../../datamodel/value/Value.js';
import type { BadParam } from '../stored-table.js';
import type { BrokerStats } from './broker-stats.js';

export const BROKER = 'Device.MQTT.Broker.{i}.';
export const BROKER_STATS = 'Device.MQTT.Broker.{i}.Stats.';
/** Brokers a device keeps: each is one Mosquitto (its own listener and $SYS counters). */
export const MAX_BROKERS = 4;
/** The stored parameters (Status is live; Password is kept to make the password file and read back "" at the edge: it is secured). */
export const BROKER_PARAMS = ['Alias', 'Name', 'Enable', 'Status', 'Port', 'Interface', 'Username', 'Password'];
export const STATS_PARAMS = [
  'TotalNumberOfClients',
  'NumberOfActiveClients',
  'NumberOfInactiveClients',
  'Subscriptions',
  'PublishSent',
  'PublishReceived',
  'MQTTMessagesSent',
  'MQTTMessagesReceived',
  'ConnectionErrors',
  'PublishErrors',
];

type Row = Readonly<Record<string, Value>>;

/** A Mosquitto password-file user name: no ':' (the field separator), no control characters or spaces. */
const USERNAME_RE = /^[^:\s\p{Cc}]{1,256}$/u;
/** Printable characters only: the password file and the CONNECT carry them as given. */
const PASSWORD_RE = /^[^\p{Cc}]*$/u;
const NAME_RE = /^[^\p{Cc}]*$/u;

/** What is wrong with broker row `v` after `changes`; `others` are the table's other rows (Name is a unique key). */
export function brokerProblems(v: Row, changes: Row, others: readonly Row[]): BadParam[] {
  const bad: BadParam[] = [];
  const name = String(v.Name ?? '');
  if (changes.Name !== undefined && !NAME_RE.test(name)) bad.push({ param: 'Name', message: 'must hold no control characters' });
  if (changes.Name !== undefined && name !== '' && others.some((o) => o.Name === name)) bad.push({ param: 'Name', message: `another broker is named ${JSON.stringify(name)}` });
  const user = String(v.Username ?? '');
  if (changes.Username !== undefined && user !== '' && !USERNAME_RE.test(user)) bad.push({ param: 'Username', message: "must hold no ':', spaces or control characters (Mosquitto's password file)" });
  if (changes.Password !== undefined && !PASSWORD_RE.test(String(v.Password ?? ''))) bad.push({ param: 'Password', message: 'must hold no control characters' });
  return bad;
}

/** Why an enabled broker row cannot run as it is (Status Error_Misconfigured), undefined when it can. */
export function brokerMisconfigured(v: Row): string | undefined {
  if (String(v.Username ?? '') !== '' && String(v.Password ?? '') === '') return 'Username without a Password: the broker would refuse every client';
  return undefined;
}

/** Mosquitto 2's password-file line for `user` (PBKDF2-HMAC-SHA512, 101 rounds, 12-byte salt: the `$7$` format mosquitto_passwd writes). */
export function mosquittoPasswordLine(user: string, password: string, salt: Buffer = randomBytes(12)): string {
  const rounds = 101;
  const hash = pbkdf2Sync(password, salt, rounds, 64, 'sha512');
  return `${user}:$7$${rounds}$${salt.toString('base64')}$${hash.toString('base64')}\n`;
}

/** Stats as the schema types them: the four message counters are unsignedLong (canonical strings), the rest unsignedInt. */
export function brokerStatsValues(s: Readonly<BrokerStats>): Record<string, Value> {
  return {
    ...s,
    PublishSent: String(s.PublishSent),
    PublishReceived: String(s.PublishReceived),
    MQTTMessagesSent: String(s.MQTTMessagesSent),
    MQTTMessagesReceived: String(s.MQTTMessagesReceived),
  };
}
