/**
 * What busybox udhcpc (as OpenWrt ships it and as the Linux platform runs it) puts into its
 * Parameter Request List (DHCP option 55), caught on the wire with tcpdump:
 *
 * - Given `-O` tags, it sends them in ascending tag order, not in the order given: udhcpc keeps
 *   them as a bitmap. Shown with no server answering: `-o -O 224 -O 121 -O 42` asks for 42, 121,
 *   224.
 * - Given `-o` (no default request options), no `-O`, and the list as a raw option
 *   `-x 0x37:HEX`, it sends exactly that list, in that order, once, in the DHCPDISCOVER, the
 *   DHCPREQUEST and the renewing DHCPREQUEST (the raw options go into every one). That is how
 *   the agent makes Device.DHCPv4.Client.{i}.ReqOption.{i}.Order reach the wire. A real dnsmasq
 *   answers, and the script still gets the subnet, router and DNS servers: udhcpc hands the
 *   script what the server sent, whatever it requested.
 * - Given both (`-O 121 -x 0x37:...`), it sends two option 55s, its own first: why the agent
 *   passes no `-O` once it gives the list itself.
 * - On OpenWrt: the command line netifd's dhcp.sh builds (test/peers/netifd-dhcp-args.ts) from
 *   the UCI the agent writes for a new ReqOption Order gives the rows' order on the wire.
 * Needs root, busybox, dnsmasq and tcpdump; the namespaces are removed afterwards.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDhcp, DHCPDISCOVER, DHCPREQUEST, dhcpPackets, type DhcpPacket, exited } from '../peers/dhcp-capture.js';
import { applyUciChanges, netifdUdhcpcArgs } from '../peers/netifd-dhcp-args.js';
import { NetNamespace, type PeerNamespace } from '../peers/netns.js';
import { orderedChanges, placeAt, reqItems } from '../../platform/openwrt/dhcpv4-client-request-list.js';
import type { UciSection } from '../../platform/openwrt/uci-show.js';
import { waitFor } from '../peers/UdsTestPeer.js';
import { startWanDhcpServer } from '../peers/wan-dhcp-server.js';

const tag = process.pid % 100_000;
const outside = `uspprl${tag}`;
const ns = NetNamespace.create(`usp-prl-${tag}`, `10.247.${tag % 250}`, outside, 'wan0');
const dir = mkdtempSync(join(tmpdir(), 'usp-prl-'));
/** A second router namespace whose wan0 leads to a real dnsmasq (`srvp` in the server's namespace). */
const router = NetNamespace.create(`usp-prlr-${tag}`, `10.248.${tag % 250}`, `uspprlr${tag}`, 'ctl0');
const NET = `10.249.${tag % 250}`;
const SERVER = `${NET}.1`;

/** One udhcpc without a server: one DHCPDISCOVER, then it gives up (-n) after a second and exits; that one caught. */
async function firstDiscover(name: string, options: string[]): Promise<DhcpPacket> {
  const file = join(dir, `${name}.pcap`);
  const tcpdump = await captureDhcp(file, outside, [], 1);
  const udhcpc = spawnSync(ns.exec[0]!, [...ns.exec.slice(1), 'busybox', 'udhcpc', '-i', 'wan0', '-f', '-n', '-q', '-t', '1', '-T', '1', '-s', '/bin/true', ...options], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(udhcpc.error).toBeUndefined();
  const caught = await Promise.race([exited(tcpdump), new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
  if (caught === 'timeout') tcpdump.kill();
  expect(caught).toBe(0);
  return dhcpPackets(readFileSync(file))[0]!;
}

let srvNs: PeerNamespace | undefined;
let server: ChildProcess | undefined;
let client: ChildProcess | undefined;

afterAll(() => {
  client?.kill();
  server?.kill();
  ns.remove();
  router.remove();
  srvNs?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('busybox udhcpc: the Parameter Request List on the wire', () => {
  it('lists the -O tags in ascending order, not in the order they were given', async () => {
    expect((await firstDiscover('bitmap', ['-o', '-O', '224', '-O', '121', '-O', '42'])).requestLists).toEqual([[42, 121, 224]]);
  }, 60_000);

  it('sends two option 55s, its own first, when given -O beside a raw 0x37', async () => {
    expect((await firstDiscover('both', ['-o', '-O', '121', '-x', '0x37:e02a'])).requestLists).toEqual([[121], [224, 42]]);
  }, 60_000);
});

describe("OpenWrt: the udhcpc netifd's dhcp.sh runs for the UCI the agent writes", () => {
  it('sends the ReqOption rows in Order, then what it asked for before, as its only option 55', async () => {
    // A WAN as OpenWrt users have it: reqopts and a vendor class. A Controller puts 42 before 51.
    const before: UciSection = { name: 'wan', type: 'interface', options: { device: 'wan0', proto: 'dhcp', reqopts: '51 42', sendopts: '60:41' } };
    const rows = reqItems(before);
    const after = applyUciChanges(before, orderedChanges(before, placeAt(rows, rows[1]!, 1)));
    const args = netifdUdhcpcArgs(after, { device: 'wan0', pidFile: join(dir, 'netifd-udhcpc.pid'), script: '/bin/true', systemHostname: 'OpenWrt', sixRdInstalled: false });
    expect(args).not.toContain('-O');
    const file = join(dir, 'netifd.pcap');
    const tcpdump = await captureDhcp(file, outside, [], 1);
    const udhcpc = spawn(ns.exec[0]!, [...ns.exec.slice(1), 'busybox', 'udhcpc', ...args], { stdio: 'ignore' });
    try {
      expect(await exited(tcpdump)).toBe(0);
    } finally {
      udhcpc.kill();
      await exited(udhcpc);
    }
    expect(dhcpPackets(readFileSync(file))[0]!.requestLists).toEqual([[42, 51, 1, 3, 6, 12, 15, 28, 121]]);
  }, 60_000);
});

describe('busybox udhcpc -o -x 0x37:LIST against a real dnsmasq', () => {
  const LIST = [224, 42, 3, 6, 1, 125];
  const events = join(dir, 'events');
  let packets: DhcpPacket[] = [];

  beforeAll(async () => {
    ({ ns: srvNs, server } = startWanDhcpServer(router, `usp-prls-${tag}`, {
      address: `${SERVER}/24`,
      leaseFile: join(dir, 'dnsmasq.leases'),
      // No ping before an offer: the test waits for no time it does not need.
      args: ['--no-ping', `--dhcp-range=${NET}.50,${NET}.60,2m`, `--dhcp-option=3,${SERVER}`, `--dhcp-option=6,${SERVER},${NET}.2`, `--dhcp-option=42,${NET}.5`],
    }));
    // The script records what udhcpc hands it, one line per event.
    const script = join(dir, 'script.sh');
    writeFileSync(script, `#!/bin/sh\necho "$1 subnet=$subnet router=$router dns=$dns ntpsrv=$ntpsrv" >> ${events}\n`, { mode: 0o755 });
    const file = join(dir, 'server-side.pcap');
    const tcpdump = await captureDhcp(file, 'srvp', srvNs!.exec);
    const hex = Buffer.from(LIST).toString('hex');
    client = spawn(router.exec[0]!, [...router.exec.slice(1), 'busybox', 'udhcpc', '-i', 'wan0', '-f', '-T', '1', '-s', script, '-o', '-x', `0x37:${hex}`], { stdio: 'ignore' });
    const lines = (): string[] => (existsSync(events) ? readFileSync(events, 'utf8').split('\n') : []);
    await waitFor(() => lines().some((l) => l.startsWith('bound ')), 30_000, 'the lease');
    // SIGUSR1: udhcpc renews at once (a unicast DHCPREQUEST), as at T1.
    client.kill('SIGUSR1');
    await waitFor(() => lines().some((l) => l.startsWith('renew ')), 30_000, 'the renewal');
    // The renewing DHCPREQUEST went out before the ACK that ran the script; wait until tcpdump wrote it.
    await waitFor(() => dhcpPackets(readFileSync(file)).filter((p) => p.type === DHCPREQUEST).length >= 2, 10_000, 'the renewing DHCPREQUEST in the capture');
    tcpdump.kill();
    await exited(tcpdump);
    packets = dhcpPackets(readFileSync(file));
  }, 90_000);

  it('carries one option 55, in the given order, in the DHCPDISCOVER, the DHCPREQUEST and the renewal', () => {
    const types = packets.map((p) => p.type);
    expect(types).toContain(DHCPDISCOVER);
    // Selecting, then renewing.
    expect(types.filter((t) => t === DHCPREQUEST).length).toBeGreaterThanOrEqual(2);
    for (const p of packets) expect(p.requestLists).toEqual([LIST]);
  });

  it("still gives the script the server's subnet, router and DNS servers, at bound and at renew", () => {
    const lines = readFileSync(events, 'utf8').split('\n');
    const want = `subnet=255.255.255.0 router=${SERVER} dns=${SERVER} ${NET}.2 ntpsrv=${NET}.5`;
    expect(lines).toContain(`bound ${want}`);
    expect(lines).toContain(`renew ${want}`);
  });
});
