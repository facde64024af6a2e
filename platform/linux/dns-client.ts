/**
 * Device.DNS.Client. of a Linux host (TR-181 DNS.Client, Baseline:4): the name servers the
 * system resolver uses, one Server.{i} row per `nameserver` line of resolv.conf.
 *
 * Which file: the one `--manage-dns FILE` names, read and written; without it /etc/resolv.conf,
 * read only, except when that is systemd-resolved's stub (it names only 127.0.0.53): then the
 * upstream servers resolved itself uses, /run/systemd/resolve/resolv.conf. The start-up log says
 * which file is served and why.
 *
 * Writes (Add, Delete, Set of DNSServer and of the Enables) happen only with `--manage-dns`, else
 * 7002 naming the option. An Enable false keeps the server in the file as a comment the resolver
 * skips (resolv-conf-lines.ts), so it is off for real and its row stays. Each replaces the file atomically (a temporary file beside it, renamed over it), keeping
 * every other line (search, options, comments) as it was; a file that cannot be replaced that way
 * (a bind mount, as in containers) is refused with 7002 rather than half-written. A symbolic link
 * is followed: its target is replaced, the link stays.
 *
 * resolv.conf does not record where a server came from (DHCP, RA, an administrator), so Type
 * reads Static; nor does the resolver bind a server to an interface (the routing table picks
 * one per query), so Interface reads "" and is read-only.
 */
import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';
import { clientEnabledIn, parseResolvState, type ResolvServer, serverLine, serverOfLine, withClientEnable } from './resolv-conf-lines.js';

/** systemd-resolved's list of the upstream servers (the stub in /etc/resolv.conf names only itself), under /run beside /etc. */
export const RESOLVED_UPSTREAM = '../run/systemd/resolve/resolv.conf';
/** The address systemd-resolved's stub listens on. */
const RESOLVED_STUB = '127.0.0.53';
/** The resolver binds no server to an interface (checkRow): Interface stays read-only. */
const CLIENT_WRITABLE = ['Enable'] as const;
const SERVER_WRITABLE = ['Enable', 'DNSServer'] as const;
/** Rows served at most: glibc reads 3 (MAXNS); a longer file is an operator's mistake, not a table to grow without bound. */
export const MAX_DNS_SERVERS = 16;

/** Where the servers are read from, and whether controllers may change them. */
export interface DnsSource {
  file: string;
  writable: boolean;
  /** Why this file, for the start-up log. */
  why: string;
}

/** The `nameserver` addresses of resolv.conf text, in order, without duplicates, at most MAX_DNS_SERVERS. */
export function parseNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && !out.includes(m[1]) && out.length < MAX_DNS_SERVERS) out.push(m[1]);
  }
  return out;
}

/** The file to serve: `manageDns` when given; else /etc/resolv.conf, or resolved's upstream list behind its stub. */
export function dnsSource(ctx: Pick<LinuxContext, 'files'>, manageDns: string | undefined): DnsSource {
  if (manageDns !== undefined) return { file: manageDns, writable: true, why: '--manage-dns' };
  const etc = ctx.files.etc('resolv.conf');
  const servers = parseNameservers(ctx.files.readSync(etc) ?? '');
  const upstream = path.join(ctx.files.etcRoot, RESOLVED_UPSTREAM);
  if (servers.length === 1 && servers[0] === RESOLVED_STUB && ctx.files.readSync(upstream) !== undefined) {
    return { file: upstream, writable: false, why: `${etc} is systemd-resolved's stub; its upstream servers are served (read-only)` };
  }
  return { file: etc, writable: false, why: 'the system resolver (read-only; --manage-dns FILE lets controllers change it)' };
}

/** Serves Device.DNS.Client. and Client.Server.{i} from `source` (dnsSource()). */
export function registerDnsClient(ctx: LinuxContext, source: DnsSource): void {
  const { model } = ctx;
  const numbers = new InstanceMap();
  // One read of the file serves a whole Get (ServerNumberOfEntries, the list, each row) for cacheMs.
  let cached: { at: number; text: Promise<string> } | undefined;
  const read = (): Promise<string> => {
    if (!cached || ctx.now() - cached.at >= ctx.cacheMs) cached = { at: ctx.now(), text: ctx.files.read(source.file).then((t) => t ?? '') };
    return cached.text;
  };
  const state = async () => parseResolvState(await read(), MAX_DNS_SERVERS);
  const servers = async (): Promise<string[]> => (await state()).servers.map((s) => s.addr);
  const rowPath = (keys: InstanceKeys): string => `Device.DNS.Client.Server.${keys[0] ?? '{i}'}.`;
  const rowOf = async (keys: InstanceKeys): Promise<ResolvServer> => {
    const addr = numbers.requireKey(keys[0]);
    const row = (await state()).servers.find((s) => s.addr === addr);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `${addr} is no longer a name server in ${source.file}`);
    return row;
  };
  const serverOf = async (keys: InstanceKeys): Promise<string> => (await rowOf(keys)).addr;
  const requireWritable = (path: string): void => {
    if (source.writable) return;
    throw new UspError(
      ErrorCode.RequestDenied,
      `${path}: the name servers of ${source.file} are not managed by this agent (start it with --manage-dns FILE, e.g. --manage-dns /etc/resolv.conf, to let controllers change them)`,
      { path },
    );
  };
  // One change at a time: two concurrent read-modify-writes of the file would lose one.
  let queue: Promise<unknown> = Promise.resolve();
  const change = (path: string, edit: (lines: string[]) => string[]): Promise<void> => {
    const run = queue.then(async () => {
      cached = undefined;
      const before = await read();
      const lines = before === '' ? [] : before.replace(/\n$/, '').split('\n');
      try {
        await replaceAtomically(source.file, `${edit(lines).join('\n')}\n`, path);
      } finally {
        cached = undefined;
      }
      ctx.log?.info('name servers changed', { file: source.file });
    });
    queue = run.catch(() => undefined);
    return run;
  };

  model.register('Device.DNS.Client.', {
    params: ['Enable', 'Status'],
    writable: CLIENT_WRITABLE,
    get: async () => {
      const on = (await state()).clientEnable;
      return { Enable: on, Status: on ? 'Enabled' : 'Disabled' };
    },
    set: async (_keys, changes) => {
      const path = 'Device.DNS.Client.';
      if (typeof changes.Enable !== 'boolean' || changes.Enable === (await state()).clientEnable) return;
      requireWritable(path);
      const on = changes.Enable;
      await change(path, (lines) => withClientEnable(lines, on));
    },
  });

  model.register('Device.DNS.Client.Server.{i}.', {
    params: ['Enable', 'Status', 'DNSServer', 'Interface', 'Type'],
    writable: SERVER_WRITABLE,
    list: async () => numbers.list(await servers()),
    get: async (keys) => {
      const row = await rowOf(keys);
      const inUse = row.enable && (await state()).clientEnable;
      return { Enable: row.enable, Status: inUse ? 'Enabled' : 'Disabled', DNSServer: row.addr, Interface: '', Type: 'Static' };
    },
    add: async (_parentKeys, params) => {
      const path = rowPath([]);
      requireWritable(path);
      checkRow(params, path);
      const addr = serverAddress(params.DNSServer, path, ErrorCode.ObjectCouldNotBeCreated);
      if ((await servers()).includes(addr)) throw new UspError(ErrorCode.DuplicateUniqueKey, `${path}DNSServer: ${addr} is already a name server`, { path });
      if ((await servers()).length >= MAX_DNS_SERVERS) throw new UspError(ErrorCode.ResourcesExceeded, `${path}: at most ${MAX_DNS_SERVERS} name servers`, { path });
      const server = { addr, enable: params.Enable !== false };
      await change(path, (lines) => [...lines, serverLine(server, clientEnabledIn(lines))]);
      return numbers.numberOf(addr);
    },
    set: async (keys, changes) => {
      const path = rowPath(keys);
      const row = await rowOf(keys);
      const old = row.addr;
      requireWritable(path);
      checkRow(changes, path);
      const addr = changes.DNSServer === undefined ? old : serverAddress(changes.DNSServer, path, ErrorCode.InvalidValue);
      const enable = typeof changes.Enable === 'boolean' ? changes.Enable : row.enable;
      if (addr === old && enable === row.enable) return;
      if (addr !== old && (await servers()).includes(addr)) throw new UspError(ErrorCode.DuplicateUniqueKey, `${path}DNSServer: ${addr} is already a name server`, { path });
      await change(path, (lines) => lines.map((l) => (nameserverOf(l) === old ? serverLine({ addr, enable }, clientEnabledIn(lines)) : l)));
      // The row keeps its number under its new address.
      if (addr !== old) numbers.rekey([[old, addr]]);
    },
    delete: async (keys) => {
      const path = rowPath(keys);
      const addr = await serverOf(keys);
      requireWritable(path);
      await change(path, (lines) => lines.filter((l) => nameserverOf(l) !== addr));
    },
    // A failed transaction puts a deleted server back as it was, switched off or not (at the
    // end: resolv.conf's order is not a row property).
    snapshot: (keys) => {
      const before = rowOf(keys);
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const was = await (snap as Promise<ResolvServer>);
      if (!(await servers()).includes(was.addr)) await change(rowPath([]), (lines) => [...lines, serverLine(was, clientEnabledIn(lines))]);
    },
  });
}

/** The server a line names, whether in use or kept off by the agent. */
function nameserverOf(line: string): string | undefined {
  return serverOfLine(line)?.addr;
}

/** An Interface is refused: the resolver sends each query out where the routing table says, bound to no interface. */
function checkRow(values: Record<string, Value>, path: string): void {
  if (typeof values.Interface === 'string' && values.Interface !== '') {
    throw new UspError(ErrorCode.RequestDenied, `${path}Interface: resolv.conf binds a name server to no interface; leave Interface empty`, { path });
  }
}

/** The IPv4 or IPv6 address of DNSServer (an IPv6 link-local one may carry `%ifname`). */
function serverAddress(value: Value | undefined, path: string, missing: ErrorCode): string {
  if (typeof value !== 'string' || value === '') throw new UspError(missing, `${path}DNSServer: give the name server's IP address`, { path });
  const [addr, scope] = value.split('%', 2);
  if (isIP(addr) === 0 || (scope !== undefined && (isIP(addr) !== 6 || !/^[^\s/%]{1,15}$/.test(scope)))) {
    throw new UspError(ErrorCode.InvalidValue, `${path}DNSServer: ${JSON.stringify(value)} is not an IP address`, { path });
  }
  return value;
}

/**
 * Writes `text` to `file` so that a reader sees the old file or the new one, never a part: a
 * temporary file in the same directory, flushed, renamed over it. A symbolic link's target is
 * replaced. A file that cannot be renamed over (EBUSY: a bind mount) is refused with 7002.
 */
async function replaceAtomically(file: string, text: string, rowPath: string): Promise<void> {
  const target = await fs.realpath(file).catch(() => file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.usp-agent-${process.pid}`);
  try {
    const mode = await fs.stat(target).then(
      (s) => s.mode & 0o777,
      () => 0o644,
    );
    const h = await fs.open(tmp, 'w', mode);
    try {
      await h.writeFile(text);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EBUSY' || code === 'EXDEV' ? 'it cannot be replaced atomically (a bind mount?); name a file the agent can replace with --manage-dns' : (e as Error).message;
    throw new UspError(code === 'ENOSPC' ? ErrorCode.ResourcesExceeded : ErrorCode.RequestDenied, `${rowPath}: cannot write ${target}: ${why}`, { path: rowPath });
  }
}
