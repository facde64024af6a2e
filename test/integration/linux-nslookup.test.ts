/**
 * NSLookupDiagnostics() on generic Linux with the device's own resolver (DNSServer empty), for
 * real: the built agent process runs in a network namespace whose resolv.conf
 * (/etc/netns/NAME/resolv.conf, what `ip netns exec` gives its programs) names first an address
 * where nothing listens (refused) and then a real dnsmasq in a second namespace, with a search
 * domain. A Controller over WebSocket runs the test: the first server is passed over for the
 * second, a name without a dot takes the search domain, and Interface binds the source address
 * (the namespace's control link, which the DNS side has no route back to, gets no answer).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnostic, subscribeOperationComplete } from '../peers/diagnostics-controller.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace, spawnDnsmasq } from '../peers/netns.js';

const tag = process.pid % 100_000;
const net = `10.249.${tag % 250}`;
const ns = NetNamespace.create(`usp-nsl-${tag}`, `10.250.${tag % 250}`, `uspnsl${tag}`, 'ctl0');
const upstream = PeerNamespace.beside(ns, `usp-nslu-${tag}`, { inside: 'up0', outside: 'up1', routerAddress: `${net}.1/24`, address: `${net}.53/24` });
const SERVER = `${net}.53`;
/** On the DNS side's link, with nothing listening on port 53: refused at once. */
const CLOSED = `${net}.55`;
const CMD = 'Device.DNS.Diagnostics.NSLookupDiagnostics()';
const resolvDir = `/etc/netns/${ns.name}`;
let dnsmasq: ChildProcess | undefined;
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  upstream.ip('addr', 'add', `${CLOSED}/24`, 'dev', 'up1');
  mkdirSync(resolvDir, { recursive: true });
  writeFileSync(`${resolvDir}/resolv.conf`, `search lan.usp-nsl.test\nnameserver ${CLOSED}\nnameserver ${SERVER}\n`);
  dnsmasq = spawnDnsmasq(upstream, ['--no-resolv', '--no-hosts', `--listen-address=${SERVER}`, '--bind-interfaces', '--host-record=printer.lan.usp-nsl.test,192.0.2.77']);
  a = await startAgentInNamespace(ns, 'none');
  await subscribeOperationComplete(a.controller, 'nsl', 'Device.DNS.Diagnostics.');
}, 60_000);

afterAll(async () => {
  await a?.close();
  dnsmasq?.kill();
  upstream.remove();
  ns.remove();
  rmSync(resolvDir, { recursive: true, force: true });
});

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

describe('NSLookupDiagnostics() on Linux with the resolv.conf servers', () => {
  it('passes over the refusing server for the next one; a bare name takes the search domain', async () => {
    const o = await runDiagnostic(a!.controller, CMD, { HostName: 'printer', Timeout: '2000', NumberOfRepetitions: '1' });
    expect(o).toMatchObject({
      Status: 'Complete',
      SuccessCount: '1',
      'Result.1.Status': 'Success',
      'Result.1.HostNameReturned': 'printer.lan.usp-nsl.test',
      'Result.1.IPAddresses': '192.0.2.77',
      'Result.1.DNSServerIP': SERVER,
    });
  });

  it('Interface up0 sends from its address and is answered; ctl0, which the DNS side cannot answer, times out', async () => {
    const input = { HostName: 'printer.lan.usp-nsl.test', Timeout: '500', NumberOfRepetitions: '1', DNSServer: SERVER };
    expect((await runDiagnostic(a!.controller, CMD, { ...input, Interface: await ipInterface('up0') }))['Result.1.Status']).toBe('Success');
    expect((await runDiagnostic(a!.controller, CMD, { ...input, Interface: await ipInterface('ctl0') }))['Result.1.Status']).toBe('Error_Timeout');
  });
});
