/**
 * The configuration file of one Mosquitto the agent owns for one Device.MQTT.Broker.{i} row on
 * generic Linux (mqtt-broker.ts runs it). Pure: no file, no process.
 *
 * | TR-181 | mosquitto.conf |
 * |---|---|
 * | Port, Interface | `listener <Port> <first IPv4 address of Interface's device>`; Interface "" (TR-181: every interface): `listener <Port>` |
 * | Username (non-empty), Password | `allow_anonymous false` + `password_file` (one user, `$7$` PBKDF2 hash); Username "": `allow_anonymous true` |
 *
 * Fixed lines: no persistence (the broker's sessions and retained messages live in RAM, not on
 * the router's flash), $SYS counters every 2 s (the Stats), the log on stderr at the levels that
 * carry connection errors (the agent reads it). Only checked values reach the file: a port
 * number, an IPv4 address from the kernel, paths the agent chose.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian installs it (OpenWrt: /usr/sbin/mosquitto too). */
export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
/** Seconds between Mosquitto's $SYS rounds: how old a Stats value can be. */
export const SYS_INTERVAL_S = 2;

export interface MosquittoConf {
  /** The row's path, for the file's comment. */
  path: string;
  port: number;
  /** The listener's address; undefined: every address. */
  address?: string;
  /** The password file, when clients must authenticate. */
  passwordFile?: string;
  /** Bumped when the password file changes, so the text differs and the broker restarts on it. */
  credentialsVersion: number;
  /** The bridges' `connection` sections (mosquitto-bridge-conf.ts), last: each runs to the next. */
  bridges?: readonly string[];
}

export function mosquittoConfText(c: MosquittoConf): string {
  return [
    `# Written by usp-agent from ${c.path}; replaced at every change: edit the data model, not this file.`,
    `# credentials version ${c.credentialsVersion}`,
    'per_listener_settings false',
    `listener ${c.port}${c.address !== undefined ? ` ${c.address}` : ''}`,
    c.passwordFile !== undefined ? 'allow_anonymous false' : 'allow_anonymous true',
    ...(c.passwordFile !== undefined ? [`password_file ${c.passwordFile}`] : []),
    'persistence false',
    `sys_interval ${SYS_INTERVAL_S}`,
    // stderr: Mosquitto's stdout is block-buffered on a pipe, and the agent counts connection errors from these lines as they come.
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    // Its start ("mosquitto version ... running"): the broker's readiness, and its bridges starting afresh.
    'log_type information',
    'connection_messages true',
    ...(c.bridges ?? []),
    '',
  ].join('\n');
}

/** Whether the agent may run its Mosquitto: asked for (`--mqtt-broker mosquitto`), and installed. */
export function mosquittoUsable(setting: boolean | undefined, binary = MOSQUITTO_BIN): { usable: boolean; why?: string } {
  if (setting !== true) return { usable: false, why: 'not asked for (--mqtt-broker mosquitto)' };
  if (!existsSync(binary)) return { usable: false, why: `${binary} is not installed` };
  return { usable: true };
}

/**
 * The user the broker runs as when the agent is root: Mosquitto's own (`mosquitto`, made by the
 * Debian and OpenWrt packages), else `nobody`. Undefined when the agent is not root (the broker
 * runs as the agent's user) or neither user exists.
 */
export function brokerUser(uid = process.getuid?.() ?? -1, passwd = '/etc/passwd'): { name: string; uid: number; gid: number } | undefined {
  if (uid !== 0) return undefined;
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return undefined;
  }
  const users = new Map<string, { name: string; uid: number; gid: number }>();
  for (const line of text.split('\n')) {
    const [name, , u, g] = line.split(':');
    if (name && u !== undefined && g !== undefined && Number.isInteger(Number(u))) users.set(name, { name, uid: Number(u), gid: Number(g) });
  }
  return users.get('mosquitto') ?? users.get('nobody');
}

/**
 * The brokers' files: the data directory is the agent's alone (0700), so a root agent's broker,
 * which runs as its own user, gets a directory of its own under /run (one per data directory:
 * agents side by side do not share it); an agent that is not root keeps them in its data directory.
 */
export function brokerRunDir(dataDir: string, uid = process.getuid?.() ?? -1): string {
  if (uid !== 0) return join(dataDir, 'mqtt-broker');
  return join('/run/usp-agent', `mqtt-broker-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
}
