/**
 * The lines of a resolv.conf the agent owns (`--manage-dns FILE`), read and written so that
 * Device.DNS.Client.Enable and Server.{i}.Enable have a real effect: the resolver (glibc, musl)
 * reads only `nameserver` lines, so a server that is off is kept in the file as a comment with
 * the agent's mark, which every resolver skips and the agent reads back as a row.
 *
 *   nameserver 192.0.2.1                           in use
 *   #usp-agent:disabled nameserver 192.0.2.2       Server.{i}.Enable false
 *   #usp-agent:client-off                          Client.Enable false (alone on its line) ...
 *   #usp-agent:client-off nameserver 192.0.2.1     ... and then each enabled server
 *   #usp-agent:interface 192.0.2.1 wwan0           Server.{i}.Interface: the netdev its host route goes through
 *
 * Keeping the state in the file itself means it survives an agent restart and an operator
 * reading the file sees why a server is not used.
 */

/** A server whose row Enable is false. */
const DISABLED_MARK = '#usp-agent:disabled';
/** Client.Enable false: on a line of its own, and before each enabled server. */
const CLIENT_OFF_MARK = '#usp-agent:client-off';

/** Server.{i}.Interface, by netdev name (IP.Interface numbers can change across restarts). */
const INTERFACE_MARK = '#usp-agent:interface';

/** One name server of the file, in use or not. */
export interface ResolvServer {
  addr: string;
  /** Server.{i}.Enable. */
  enable: boolean;
}

/** The servers (in order, each once) and Client.Enable of resolv.conf text. */
export interface ResolvState {
  clientEnable: boolean;
  servers: ResolvServer[];
  /** The netdev each server's host route is pinned to (Server.{i}.Interface), by address. */
  interfaces: ReadonlyMap<string, string>;
}

/** The server a line names (commented out by the agent or not), else undefined. */
export function serverOfLine(line: string): ResolvServer | undefined {
  const m = /^\s*(#usp-agent:(?:disabled|client-off)\s+)?nameserver\s+(\S+)/.exec(line);
  if (!m) return undefined;
  return { addr: m[2], enable: !m[1]?.startsWith(DISABLED_MARK) };
}

function isClientOffLine(line: string): boolean {
  return line.trim() === CLIENT_OFF_MARK;
}

/** Reads the state from the file's text; at most `max` servers, each address once. */
export function parseResolvState(text: string, max: number): ResolvState {
  const servers: ResolvServer[] = [];
  let clientEnable = true;
  const interfaces = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (isClientOffLine(line)) clientEnable = false;
    const bound = interfaceOfLine(line);
    if (bound) interfaces.set(bound.addr, bound.ifname);
    const s = serverOfLine(line);
    if (s && !servers.some((o) => o.addr === s.addr) && servers.length < max) servers.push(s);
  }
  for (const addr of interfaces.keys()) if (!servers.some((s) => s.addr === addr)) interfaces.delete(addr);
  return { clientEnable, servers, interfaces };
}

/** The line for `server` under Client.Enable `clientEnable`. */
export function serverLine(server: ResolvServer, clientEnable: boolean): string {
  if (!server.enable) return `${DISABLED_MARK} nameserver ${server.addr}`;
  return clientEnable ? `nameserver ${server.addr}` : `${CLIENT_OFF_MARK} nameserver ${server.addr}`;
}

/** The lines with the client switched on or off: every server line rewritten, the mark line added or dropped; other lines kept. */
export function withClientEnable(lines: readonly string[], clientEnable: boolean): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (isClientOffLine(line)) continue;
    const s = serverOfLine(line);
    out.push(s ? serverLine(s, clientEnable) : line);
  }
  return clientEnable ? out : [CLIENT_OFF_MARK, ...out];
}

/** Whether the lines say the client is off. */
export function clientEnabledIn(lines: readonly string[]): boolean {
  return !lines.some(isClientOffLine);
}

/** The server and netdev of an interface line, else undefined. */
function interfaceOfLine(line: string): { addr: string; ifname: string } | undefined {
  const m = /^\s*#usp-agent:interface\s+(\S+)\s+(\S+)\s*$/.exec(line);
  return m ? { addr: m[1], ifname: m[2] } : undefined;
}

/** The lines with `addr` pinned to netdev `ifname` (undefined: to none); other lines kept. */
export function withServerInterface(lines: readonly string[], addr: string, ifname: string | undefined): string[] {
  const out = lines.filter((l) => interfaceOfLine(l)?.addr !== addr);
  return ifname === undefined ? out : [...out, `${INTERFACE_MARK} ${addr} ${ifname}`];
}
