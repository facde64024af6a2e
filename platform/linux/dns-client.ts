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
 * reads Static. Nor does the resolver bind a server to an interface (the routing table picks one
 * per query): a Set of Interface pins the server's host route through that interface instead
 * (dns-server-route.ts), and the file keeps the binding by netdev name on an agent comment line
 * (resolv-conf-lines.ts), from which the routes are put back at start.
 */
import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';
import type { DnsServerRoutes } from './dns-server-route.js';
import { clientEnabledIn, parseResolvState, type ResolvServer, serverLine, serverOfLine, withClientEnable, withServerInterface } from './resolv-conf-lines.js';

/** systemd-resolved's list of the upstream servers (the stub in /etc/resolv.conf names only itself), under /run beside /etc. */
export const RESOLVED_UPSTREAM = '../run/systemd/resolve/resolv.conf';
/** The address systemd-resolved's stub listens on. */
const RESOLVED_STUB = '127.0.0.53';
const CLIENT_WRITABLE = ['Enable'] as const;
/** Interface: the server's host route (dns-server-route.ts). */
const SERVER_WRITABLE = ['Enable', 'DNSServer', 'Interface'] as const;
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

/** A server row as a failed transaction puts it back: the line and the interface its route goes through. */
interface ServerSnapshot {
  row: ResolvServer;
  ifname: string | undefined;
}

/**
 * Serves Device.DNS.Client. and Client.Server.{i} from `source` (dnsSource()), the servers'
 * Interface through `routes`. Resolves `start`, which puts the pinned routes back (run it once
 * at agent start).
 */
export function registerDnsClient(ctx: LinuxContext, source: DnsSource, routes: DnsServerRoutes): { start: () => Promise<void> } {
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
      const s = await state();
      const inUse = row.enable && s.clientEnable;
      return { Enable: row.enable, Status: inUse ? 'Enabled' : 'Disabled', DNSServer: row.addr, Interface: await routes.pathOf(s.interfaces.get(row.addr)), Type: 'Static' };
    },
    add: async (_parentKeys, params) => {
      const path = rowPath([]);
      requireWritable(path);
      const addr = serverAddress(params.DNSServer, path, ErrorCode.ObjectCouldNotBeCreated);
      if ((await servers()).includes(addr)) throw new UspError(ErrorCode.DuplicateUniqueKey, `${path}DNSServer: ${addr} is already a name server`, { path });
      if ((await servers()).length >= MAX_DNS_SERVERS) throw new UspError(ErrorCode.ResourcesExceeded, `${path}: at most ${MAX_DNS_SERVERS} name servers`, { path });
      const ifname = await interfaceOf(params.Interface, addr, path);
      const server = { addr, enable: params.Enable !== false };
      await moveRoute(addr, undefined, addr, ifname, path, () => change(path, (lines) => withServerInterface([...lines, serverLine(server, clientEnabledIn(lines))], addr, ifname)));
      return numbers.numberOf(addr);
    },
    set: async (keys, changes) => {
      const path = rowPath(keys);
      const row = await rowOf(keys);
      const old = row.addr;
      requireWritable(path);
      const addr = changes.DNSServer === undefined ? old : serverAddress(changes.DNSServer, path, ErrorCode.InvalidValue);
      const enable = typeof changes.Enable === 'boolean' ? changes.Enable : row.enable;
      const oldIf = (await state()).interfaces.get(old);
      const ifname = changes.Interface === undefined ? oldIf : await interfaceOf(changes.Interface, addr, path);
      if (addr === old && enable === row.enable && ifname === oldIf) return;
      if (addr !== old && (await servers()).includes(addr)) throw new UspError(ErrorCode.DuplicateUniqueKey, `${path}DNSServer: ${addr} is already a name server`, { path });
      const edit = (lines: string[]): string[] => {
        const moved = lines.map((l) => (nameserverOf(l) === old ? serverLine({ addr, enable }, clientEnabledIn(lines)) : l));
        return withServerInterface(withServerInterface(moved, old, undefined), addr, ifname);
      };
      await moveRoute(old, oldIf, addr, ifname, path, () => change(path, edit));
      // The row keeps its number under its new address.
      if (addr !== old) numbers.rekey([[old, addr]]);
    },
    delete: async (keys) => {
      const path = rowPath(keys);
      const addr = await serverOf(keys);
      requireWritable(path);
      const ifname = (await state()).interfaces.get(addr);
      await moveRoute(addr, ifname, addr, undefined, path, () => change(path, (lines) => withServerInterface(lines, addr, undefined).filter((l) => nameserverOf(l) !== addr)));
    },
    // A failed transaction puts a deleted server back as it was, switched off or not (at the
    // end: resolv.conf's order is not a row property), and its route where it was.
    snapshot: (keys) => {
      const before = (async (): Promise<ServerSnapshot> => {
        const row = await rowOf(keys);
        return { row, ifname: (await state()).interfaces.get(row.addr) };
      })();
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const was = await (snap as Promise<ServerSnapshot>);
      const path = rowPath([]);
      const s = await state();
      if (!s.servers.some((r) => r.addr === was.row.addr)) {
        await moveRoute(was.row.addr, undefined, was.row.addr, was.ifname, path, () =>
          change(path, (lines) => withServerInterface([...lines, serverLine(was.row, clientEnabledIn(lines))], was.row.addr, was.ifname)),
        );
      } else if (s.interfaces.get(was.row.addr) !== was.ifname) {
        const now = s.interfaces.get(was.row.addr);
        await moveRoute(was.row.addr, now, was.row.addr, was.ifname, path, () => change(path, (lines) => withServerInterface(lines, was.row.addr, was.ifname)));
      }
    },
  });

  /** The netdev a Set or Add of Interface names (undefined: none), checked for `addr` (dns-server-route.ts). */
  async function interfaceOf(value: Value | undefined, addr: string, path: string): Promise<string | undefined> {
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new UspError(ErrorCode.InvalidValue, `${path}Interface: give a Device.IP.Interface path`, { path });
    return routes.deviceFor(value, addr, path);
  }

  /**
   * Moves a server's route from (`oldAddr` via `oldIf`) to (`addr` via `ifname`) around the file
   * edit `write`: the new route first (a refusal leaves the file as it was), the old one removed
   * once the file is written; a failed write takes back the new route.
   */
  async function moveRoute(oldAddr: string, oldIf: string | undefined, addr: string, ifname: string | undefined, path: string, write: () => Promise<void>): Promise<void> {
    const same = oldAddr === addr && oldIf === ifname;
    if (ifname !== undefined && !same) await routes.pin(addr, ifname, path);
    try {
      await write();
    } catch (e) {
      if (ifname !== undefined && !same) await routes.unpin(addr, ifname);
      throw e;
    }
    if (oldIf !== undefined && !same) await routes.unpin(oldAddr, oldIf);
  }

  return {
    // Only a file the agent manages holds its interface lines; the kernel forgot their routes at reboot.
    start: async () => {
      if (source.writable) await routes.reapply((await state()).interfaces);
    },
  };
}

/** The server a line names, whether in use or kept off by the agent. */
function nameserverOf(line: string): string | undefined {
  return serverOfLine(line)?.addr;
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
