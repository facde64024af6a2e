/**
 * Why Device.DHCPv4.Client.{i}.ReqOption.{i}.Order stays read-only on OpenWrt (and DHCPv4Client:1
 * is not met there): netifd runs busybox udhcpc with one `-O TAG` per item of the interface's UCI
 * `reqopts`, and udhcpc keeps those tags as a bitmap, sending its Parameter Request List (option
 * 55) in ascending tag order. Reordering `reqopts` would change no packet, so the agent does not
 * claim it can. Shown here with the real program: udhcpc (busybox, as OpenWrt ships it) in a
 * namespace asks for 224, 121 and 42, in that order and without its default options (`-o`, as
 * netifd's `defaultreqopts '0'`); tcpdump on the other end of the veth catches the DHCPDISCOVER.
 * Needs root, busybox and tcpdump; the namespace is removed afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const outside = `uspprl${tag}`;
const ns = NetNamespace.create(`usp-prl-${tag}`, `10.247.${tag % 250}`, outside, 'wan0');
const dir = mkdtempSync(join(tmpdir(), 'usp-prl-'));
const capture = join(dir, 'discover.pcap');

/** DHCP option 55, Parameter Request List (RFC 2132 9.8). */
const PARAMETER_REQUEST_LIST = 55;

/** The option 55 tags of the first DHCP packet in a pcap file (Ethernet, IPv4, UDP, BOOTP). */
function requestList(pcap: Buffer): number[] {
  const frame = pcap.subarray(24 + 16);
  const ip = frame.subarray(14);
  const udp = ip.subarray((ip[0]! & 0x0f) * 4);
  // BOOTP's fixed part is 236 bytes, then the magic cookie, then the options.
  const options = udp.subarray(8 + 236 + 4);
  for (let i = 0; i < options.length && options[i] !== 255;) {
    if (options[i] === 0) {
      i++;
      continue;
    }
    const len = options[i + 1]!;
    if (options[i] === PARAMETER_REQUEST_LIST) return [...options.subarray(i + 2, i + 2 + len)];
    i += 2 + len;
  }
  return [];
}

let discover: Buffer;

beforeAll(async () => {
  // One DHCP packet from the client, written unbuffered; "listening on" says it is ready.
  const tcpdump = spawn('tcpdump', ['-i', outside, '-n', '-c', '1', '-U', '-w', capture, 'udp', 'dst', 'port', '67'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const done = new Promise<number | null>((resolve) => tcpdump.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    tcpdump.stderr.on('data', (b: Buffer) => b.toString().includes('listening on') && resolve());
    tcpdump.on('exit', (code) => reject(new Error(`tcpdump exited with ${code}`)));
  });
  // No server answers: three DHCPDISCOVERs a second apart, then udhcpc gives up (-n) and exits.
  const udhcpc = spawnSync(
    ns.exec[0]!,
    [...ns.exec.slice(1), 'busybox', 'udhcpc', '-i', 'wan0', '-f', '-n', '-q', '-t', '3', '-T', '1', '-s', '/bin/true', '-o', '-O', '224', '-O', '121', '-O', '42'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(udhcpc.error).toBeUndefined();
  const caught = await Promise.race([done, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
  if (caught === 'timeout') tcpdump.kill();
  expect(caught).toBe(0);
  discover = readFileSync(capture);
}, 60_000);

afterAll(() => {
  ns.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('busybox udhcpc: the Parameter Request List on the wire', () => {
  it('lists the -O tags in ascending order, not in the order they were given', () => {
    expect(requestList(discover)).toEqual([42, 121, 224]);
  });
});
