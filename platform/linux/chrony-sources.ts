/**
 * The one chrony sources file the agent owns (Device.Time. on Linux, time.ts): what each
 * Device.Time.Client.{i} row becomes, and the checks that keep a Controller's values from ever
 * making a line chronyd would refuse or read differently.
 *
 * chronyd reads the file through its `sourcedir` directive (chrony 4.0+; the directory's
 * `*.sources` files may hold only `server`, `pool` and `peer` lines) at start and at `chronyc
 * reload sources`. A row is one `server` line per entry of Servers:
 *
 *   server <name> port <Port> minpoll <MinPoll> maxpoll <MaxPoll> version <Version> [iburst]
 *
 * TR-181 Servers says "NTP servers or pools"; a name cannot tell which it is, so every entry is a
 * `server` (a pool name then gives one of its addresses).
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';

/** The agent's file in Debian's own `sourcedir` (its chrony.conf names /etc/chrony/sources.d). */
export const DEFAULT_SOURCES_FILE = '/etc/chrony/sources.d/usp-agent.sources';
/** Client rows a Controller may add: the table is bounded like every other. */
export const MAX_CLIENTS = 4;
/** Entries of one Client's Servers (TR-181 once had NTPServer1..5). */
export const MAX_SERVERS = 5;
/** RFC 5905's largest poll exponent (36 h); chrony takes up to 24 but nothing polls less often usefully. */
export const MAX_POLL_EXPONENT = 17;

/** One Client row as the file needs it. */
export interface ClientSources {
  /** Its path, for the comment line above its sources. */
  path: string;
  servers: readonly string[];
  port: number;
  minPoll: number;
  maxPoll: number;
  version: number;
  iburst: boolean;
}

/** A value refused, by parameter (7012 with the parameter's name). */
export interface BadParam {
  param: string;
  message: string;
}

/** A host name (RFC 1123 labels) or an IPv4/IPv6 address: nothing chronyd would read as more than one word. */
export function isServerName(s: string): boolean {
  if (isIP(s) !== 0) return true;
  if (s.length === 0 || s.length > 253) return false;
  return s.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** Servers as a list: TR-181 list of strings, comma-separated (spaces around entries ignored). */
export function serverList(value: Value | undefined): string[] {
  const s = String(value ?? '').trim();
  return s === '' ? [] : s.split(',').map((e) => e.trim());
}

/** What is wrong with a Client row (the values after the change), as 7012 parameter errors. */
export function clientProblems(row: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  const servers = serverList(row.Servers);
  const wrong = servers.filter((s) => !isServerName(s));
  if (wrong.length > 0) bad.push({ param: 'Servers', message: `${wrong.map((s) => JSON.stringify(s)).join(', ')}: not a host name or IP address` });
  if (servers.length > MAX_SERVERS) bad.push({ param: 'Servers', message: `at most ${MAX_SERVERS} servers per Client on this device` });
  if (new Set(servers.map((s) => s.toLowerCase())).size !== servers.length) bad.push({ param: 'Servers', message: 'a server is named twice' });
  if (row.Mode !== undefined && row.Mode !== 'Unicast') bad.push({ param: 'Mode', message: "chrony's client here polls its servers (Unicast) only" });
  const min = Number(row.MinPoll);
  const max = Number(row.MaxPoll);
  if (min > MAX_POLL_EXPONENT) bad.push({ param: 'MinPoll', message: `at most ${MAX_POLL_EXPONENT} (2^${MAX_POLL_EXPONENT} s)` });
  if (max > MAX_POLL_EXPONENT) bad.push({ param: 'MaxPoll', message: `at most ${MAX_POLL_EXPONENT} (2^${MAX_POLL_EXPONENT} s)` });
  if (min <= MAX_POLL_EXPONENT && max <= MAX_POLL_EXPONENT && min > max) bad.push({ param: 'MinPoll', message: `MinPoll ${min} is above MaxPoll ${max}` });
  return bad;
}

/**
 * The file's text: a header, then each enabled row's servers under a comment naming the row.
 * With Device.Time.Enable false (`enabled`) it holds no source.
 */
export function renderSources(enabled: boolean, clients: readonly ClientSources[]): string {
  const lines = ['# Written by usp-agent from Device.Time.Client.{i} (TR-181); replaced at every change: edit through USP.'];
  if (!enabled) lines.push('# Device.Time.Enable is false: no source.');
  for (const c of enabled ? clients : []) {
    lines.push(`# ${c.path}`);
    for (const s of c.servers) {
      lines.push(`server ${s} port ${c.port} minpoll ${c.minPoll} maxpoll ${c.maxPoll} version ${c.version}${c.iburst ? ' iburst' : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
