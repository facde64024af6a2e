/**
 * Device.DHCPv6.Client.{i}. on generic Linux, for real: the built agent process (`npm run build`
 * first) runs with `--platform linux --dhcp-client udhcpc` in a router namespace whose `wan0`
 * is a veth to a second namespace running a real dnsmasq DHCPv6 server. A controller over a real
 * WebSocket Adds a Client on wan0's IP.Interface; the agent's dhcpcd gets an address (the kernel
 * holds it) and the options asked for, read back as ReceivedOption rows with the Server row;
 * Renew() renews; RequestAddresses false turns it stateless; Enable false releases the address;
 * a restart brings the row and its dhcpcd back. Bad input is refused with nothing kept.
 * dhcpcd keeps its DUID and leases in /var/lib/dhcpcd and /run/dhcpcd: the agent runs in a mount
 * namespace with a tmpfs over each, so the host's stay untouched. Needs root, dnsmasq and dhcpcd.
 */
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, get, operate, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, type PeerNamespace } from '../peers/netns.js';
import { addUnmanagedDevice, DHCPCD_PRIVATE_DIRS, ipInterfaceOf, startWanDhcpServer } from '../peers/wan-dhcp-server.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-d6c-${tag}`, `10.247.${tag % 250}`, `uspd6c${tag}`, 'ctl0');
const srv = `usp-d6cs-${tag}`;
const PREFIX = 'fd00:61:6::';
const dir = mkdtempSync(join(tmpdir(), 'usp-dhcp6c-'));
const agentDir = join(dir, 'agent');
const AGENT_ARGS = ['--dhcp-client', 'udhcpc', '--dnsmasq', 'off'];
const serverLeases = join(dir, 'dnsmasq.leases');
/** The router namespace, with dhcpcd's own directories on a tmpfs of the agent's mount namespace. */
const routerWithDirs = {
  agentAddress: router.agentAddress,
  exec: [...router.exec, 'sh', '-c', `${DHCPCD_PRIVATE_DIRS} && exec "$@"`, 'usp-dhcpcd-dirs'],
} as unknown as NetNamespace;
let a: NamespacedAgent | undefined;
let server: ChildProcess | undefined;
let srvNs: PeerNamespace | undefined;

beforeAll(async () => {
  ({ ns: srvNs, server } = startWanDhcpServer(router, srv, {
    address: `${PREFIX}1/64`,
    ipv6: true,
    leaseFile: serverLeases,
    args: ['--dhcp-range=::1000,::1fff,constructor:srvp,64,3600', '--dhcp-option=option6:dns-server,[2001:db8::53]', '--dhcp-option=option6:domain-search,lan.test'],
  }));
  addUnmanagedDevice(router);
  a = await startAgentInNamespace(routerWithDirs, 'ctl0,wan0', { dataDir: agentDir, args: AGENT_ARGS });
}, 40_000);

afterAll(async () => {
  await a?.close();
  server?.kill();
  router.remove();
  srvNs?.remove();
  rmSync(dir, { recursive: true, force: true });
});

const wanAddresses = (): string[] => (router.link('wan0')?.addr_info ?? []).filter((x) => x.family === 'inet6' && x.local.startsWith(PREFIX)).map((x) => x.local);
const tags = async (client: string): Promise<string[]> => Object.values(await getObjects(a!.controller, [`${client}ReceivedOption.*.Tag`])).map((r) => r.Tag!);
const POLL = { timeout: 30_000, interval: 250 };

describe('Device.DHCPv6.Client on Linux (dhcpcd against a real dnsmasq)', () => {
  let client = '';

  it('refuses bad rows with nothing kept', async () => {
    const c = a!.controller;
    const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }) => (r.ok ? 0 : (r.paramErrCode ?? r.errCode));
    for (const Interface of ['Device.IP.Interface.99', await ipInterfaceOf(a!.controller, 'other0'), await ipInterfaceOf(a!.controller, 'lo')]) {
      expect(code(await tryAdd(c, 'Device.DHCPv6.Client.', { Enable: 'true', Interface }))).toBe(7012);
    }
    expect(code(await tryAdd(c, 'Device.DHCPv6.Client.', { RequestedOptions: '23,99' }))).toBe(7012);
    expect(await get(c, 'Device.DHCPv6.ClientNumberOfEntries')).toBe('0');
  });

  it('gets an address and the options asked for; Renew() renews; stateless without RequestAddresses', async () => {
    const c = a!.controller;
    const wan0 = await ipInterfaceOf(a!.controller, 'wan0');
    client = await add(c, 'Device.DHCPv6.Client.', { Enable: 'true', Interface: wan0, RequestedOptions: '23,24' });
    await expect.poll(() => tags(client), POLL).toEqual(['1', '2', '3', '23', '24']);
    await expect.poll(wanAddresses, POLL).toHaveLength(1);
    const v = (await getObjects(c, [client]))[client]!;
    expect(v).toMatchObject({ Status: 'Enabled', ServerNumberOfEntries: '1', SuggestedT1: '-1', SupportedOptions: '23,24,31' });
    expect(v.DUID).toMatch(/^000[1-4][0-9A-F]+$/);
    const server = (await getObjects(c, [`${client}Server.1.`]))[`${client}Server.1.`]!;
    expect(server.SourceAddress).toMatch(/^fe80::/);
    expect(server.DUID).toMatch(/^000[1-4][0-9A-F]+$/);
    const options = await getObjects(c, [`${client}ReceivedOption.*.`]);
    const byTag = new Map(Object.values(options).map((o) => [o.Tag, o.Value]));
    expect(byTag.get('23')).toBe('20010DB8000000000000000000000053');
    expect(byTag.get('24')).toBe('036C616E047465737400');
    expect(byTag.get('3')!.toLowerCase()).toContain(wanAddresses()[0]!.replace(PREFIX, '').padStart(4, '0'));
    expect(readFileSync(serverLeases, 'utf8')).toContain(wanAddresses()[0]!);
    expect((await operate(c, `${client}Renew()`)).ok).toBe(true);

    await set(c, client, { RequestAddresses: 'false' });
    await expect.poll(() => tags(client), POLL).toEqual(['1', '2', '23', '24']);
    await set(c, client, { RequestAddresses: 'true' });
    await expect.poll(() => tags(client), POLL).toContain('3');
  }, 90_000);

  it('Enable false releases the address; a restart brings the row and its client back', async () => {
    const c = a!.controller;
    await set(c, client, { Enable: 'false' });
    await expect.poll(wanAddresses, POLL).toEqual([]);
    expect(await tags(client)).toEqual([]);
    expect((await operate(c, `${client}Renew()`)).ok).toBe(false);
    await set(c, client, { Enable: 'true' });
    await expect.poll(wanAddresses, POLL).toHaveLength(1);

    const port = a!.port;
    await a!.close();
    a = await startAgentInNamespace(routerWithDirs, 'ctl0,wan0', { dataDir: agentDir, port, args: AGENT_ARGS });
    expect((await getObjects(a.controller, [client]))[client]).toMatchObject({ Enable: 'true', RequestedOptions: '23,24' });
    await expect.poll(() => tags(client), POLL).toContain('3');
    // A second Client on wan0, and T1/T2 suggestions dhcpcd cannot send.
    const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }) => (r.ok ? 0 : (r.paramErrCode ?? r.errCode));
    expect(code(await tryAdd(a.controller, 'Device.DHCPv6.Client.', { Interface: await ipInterfaceOf(a!.controller, 'wan0') }))).toBe(7025);
    expect(code(await trySet(a.controller, client, { SuggestedT1: '600' }))).toBe(7013);
    expect(existsSync('/var/lib/dhcpcd/wan0.lease6')).toBe(false);
  }, 90_000);
});
