/**
 * What the Linux DNS-client tests share: the resolv.conf of a network namespace (glibc in
 * `ip netns exec NS` reads /etc/netns/NS/resolv.conf), a lookup through glibc's resolver there,
 * and the Server row of an address as a Controller reads it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { TestController } from './TestController.js';
import { getObjects } from './get-objects.js';
import type { NetNamespace } from './netns.js';

/** The namespace's own resolv.conf, naming `servers`, one short try each (a server switched off fails fast). */
export function namespaceResolvConf(ns: NetNamespace, servers: readonly string[]): { file: string; remove(): void } {
  const dir = `/etc/netns/${ns.name}`;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/resolv.conf`;
  writeFileSync(file, `options timeout:1 attempts:1\n${servers.map((s) => `nameserver ${s}\n`).join('')}`);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What glibc's resolver in `ns` finds for `name` ('' when nothing). */
export function resolverLookup(ns: NetNamespace, name: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns.name, 'getent', 'ahostsv4', name], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? (r.stdout.split(/\s+/)[0] ?? '') : '';
}

/** The Device.DNS.Client.Server.{i}. row whose DNSServer is `addr`. */
export async function dnsServerRow(c: TestController, addr: string): Promise<string> {
  const rows = await getObjects(c, ['Device.DNS.Client.Server.*.DNSServer']);
  const row = Object.entries(rows).find(([, v]) => v.DNSServer === addr)?.[0];
  if (!row) throw new Error(`no Server row for ${addr}`);
  return row;
}
