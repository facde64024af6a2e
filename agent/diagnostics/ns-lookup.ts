/**
 * Device.DNS.Diagnostics.NSLookupDiagnostics() (TR-181 2.19 NSLookupDiag:1; async): looks HostName
 * up NumberOfRepetitions times, one Result.{i} output row per repetition. DNSServer empty: the
 * device's resolver (its resolv.conf servers, each tried in turn when the one before did not
 * answer); an IP address, optionally with a port ("127.0.0.1:5353", "[::1]:5353", an extension
 * TR-181 leaves open); a name, resolved with the device's resolver first (not resolvable: Status
 * Error_DNSServerNotResolved). Interface binds the queries' source address to that interface's
 * address, where the host has the interface (the simulated gateway's rows, apart from its
 * loopback, are not the host's, so those run unbound, as IPPing() does).
 *
 * Status is Complete when at least one repetition succeeded and Error_Other when all failed
 * (TR-181: "a failure on all attempts means [the test] SHOULD be Error_Other"); the Result rows
 * say why either way. Bad input fails the Operate with 7027; too many repetitions or too long a
 * timeout, and all diagnostic slots busy, with 7005.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { CommandBinding, CommandInvocation } from '../../datamodel/tree/binding.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { nsLookupOnce, type DnsServer, type NsLookupResult } from '../../platform/diagnostics/ns-lookup-query.js';
import { parseDnsServer, qualifiedName, searchDomain, systemDnsServers } from '../../platform/diagnostics/ns-lookup-servers.js';
import type { IpDiagnosticsDeps } from './ip-diagnostics-deps.js';
import { withSlot } from './ip-diagnostics-deps.js';
import { checkHost, interfaceDevice } from './interface-input.js';

/** The most lookups one test may make (a resource bound: more is 7005). */
export const MAX_NS_LOOKUP_REPETITIONS = 100;
/** The longest Timeout one lookup may wait (a resource bound: more is 7005). */
export const MAX_NS_LOOKUP_TIMEOUT_MS = 60_000;

/** What NSLookupDiagnostics() runs on: the IP diagnostics' deps (model, slots, Interface mapping, log). */
export type NsLookupDeps = Pick<IpDiagnosticsDeps, 'model' | 'slots' | 'log' | 'interfaceDevice'>;

/** The NSLookupDiagnostics() command binding (one object per gateway over shared functions). */
export function nsLookupCommand(d: NsLookupDeps): CommandBinding {
  return new BoundCheckedCommand<NsLookupDeps>(d, runNsLookup, precheckNsLookup);
}

/** The checked input: the DNSServer is either servers to ask or a name still to resolve. */
interface NsLookupRequest {
  hostName: string;
  servers: DnsServer[] | { name: string };
  timeoutMs: number;
  repetitions: number;
  local: { v4?: string; v6?: string };
}

function bounded(name: string, value: Value | undefined, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UspError(ErrorCode.InvalidCommandArgs, `${name} must be at least 1, not ${String(value)}`);
  if (n > max) throw new UspError(ErrorCode.ResourcesExceeded, `${name} ${n} is over this agent's bound of ${max}`);
  return n;
}

/** The Interface's host addresses to send from: its first IPv4 and first global IPv6 address. */
async function localAddresses(d: NsLookupDeps, ref: string): Promise<{ v4?: string; v6?: string }> {
  const device = await interfaceDevice(d.model, ref, d.interfaceDevice);
  if (device === undefined) return {};
  const addrs = networkInterfaces()[device] ?? [];
  const v4 = addrs.find((a) => a.family === 'IPv4')?.address;
  const v6 = addrs.find((a) => a.family === 'IPv6' && a.scopeid === 0)?.address;
  if (v4 === undefined && v6 === undefined) throw new UspError(ErrorCode.InvalidCommandArgs, `Interface ${ref} (${device}) has no IP address to send the lookup from`);
  return { v4, v6 };
}

async function prepare(d: NsLookupDeps, input: Record<string, Value>): Promise<NsLookupRequest> {
  const hostName = checkHost('HostName', String(input.HostName ?? ''));
  if (isIP(hostName) !== 0) throw new UspError(ErrorCode.InvalidCommandArgs, `HostName must be a host name to look up, not the address ${hostName}`);
  const server = String(input.DNSServer ?? '').trim();
  let servers: NsLookupRequest['servers'];
  if (server === '') servers = systemDnsServers();
  else {
    const ip = parseDnsServer(server);
    // Only an address may carry a port; anything else with a colon is no server.
    if (!ip && server.includes(':')) throw new UspError(ErrorCode.InvalidCommandArgs, `DNSServer must be a host name, an IP address or address:port, not ${JSON.stringify(server)}`);
    servers = ip ? [ip] : { name: checkHost('DNSServer', server) };
  }
  return {
    hostName: qualifiedName(hostName, searchDomain()),
    servers,
    timeoutMs: bounded('Timeout', input.Timeout, MAX_NS_LOOKUP_TIMEOUT_MS),
    repetitions: bounded('NumberOfRepetitions', input.NumberOfRepetitions, MAX_NS_LOOKUP_REPETITIONS),
    local: await localAddresses(d, String(input.Interface ?? '')),
  };
}

async function precheckNsLookup(d: NsLookupDeps, call: Omit<CommandInvocation, 'signal'>): Promise<void> {
  await prepare(d, call.input);
  d.slots.check();
}

/** The DNSServer name's addresses, looked up with the device's resolver; [] when it cannot be. */
async function resolveServerName(name: string): Promise<DnsServer[]> {
  try {
    const found = await lookup(name, { all: true });
    return found.slice(0, 1).map((a) => ({ ip: a.address, port: 53 }));
  } catch {
    return [];
  }
}

function runNsLookup(d: NsLookupDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  return withSlot(d, async () => {
    const req = await prepare(d, call.input);
    const servers = Array.isArray(req.servers) ? req.servers : await resolveServerName(req.servers.name);
    if (servers.length === 0) {
      d.log.info('NSLookupDiagnostics(): no DNS server to ask', { dnsServer: String(call.input.DNSServer ?? '') });
      return { Status: Array.isArray(req.servers) ? 'Error_Other' : 'Error_DNSServerNotResolved', SuccessCount: 0 };
    }
    const results: NsLookupResult[] = [];
    for (let i = 0; i < req.repetitions; i++) results.push(await lookupWithFallback(req, servers, call.signal));
    return nsLookupOutput(results);
  });
}

/** One repetition: the servers in turn, the next only when the one before did not answer. */
async function lookupWithFallback(req: NsLookupRequest, servers: readonly DnsServer[], signal: AbortSignal): Promise<NsLookupResult> {
  let last: NsLookupResult | undefined;
  for (const server of servers) {
    // A server of a family the Interface has no address of cannot be reached over it.
    const family = isIP(server.ip);
    const bound = req.local.v4 !== undefined || req.local.v6 !== undefined;
    if (bound && (family === 4 ? req.local.v4 : req.local.v6) === undefined) {
      last ??= { status: 'Error_DNSServerNotAvailable', answerType: 'None', hostNameReturned: '', addresses: [], serverIp: server.ip, responseTimeMs: 0 };
      continue;
    }
    last = await nsLookupOnce({ hostName: req.hostName, server, timeoutMs: req.timeoutMs, localV4: req.local.v4, localV6: req.local.v6, signal });
    if (last.status !== 'Error_Timeout' && last.status !== 'Error_DNSServerNotAvailable') break;
  }
  return last as NsLookupResult;
}

/** NSLookupDiagnostics()'s output arguments, Result.{i}.* numbered from 1. */
export function nsLookupOutput(results: readonly NsLookupResult[]): Record<string, Value> {
  const successes = results.filter((r) => r.status === 'Success').length;
  const out: Record<string, Value> = { Status: successes > 0 ? 'Complete' : 'Error_Other', SuccessCount: successes };
  results.forEach((r, i) => {
    const p = `Result.${i + 1}.`;
    out[`${p}Status`] = r.status;
    out[`${p}AnswerType`] = r.answerType;
    out[`${p}HostNameReturned`] = r.hostNameReturned;
    out[`${p}IPAddresses`] = r.addresses.join(',');
    out[`${p}DNSServerIP`] = r.serverIp;
    out[`${p}ResponseTime`] = r.responseTimeMs;
  });
  return out;
}
