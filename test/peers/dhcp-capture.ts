/**
 * The DHCP packets a client sends, caught on the wire by a real tcpdump (client-to-server, UDP
 * port 67) and read from its pcap file: each packet's message type and every Parameter Request
 * List (option 55) it carries. Used by the tests that check what busybox udhcpc puts on the wire.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** DHCP option 55, Parameter Request List (RFC 2132 9.8), and 53, the message type. */
const PARAMETER_REQUEST_LIST = 55;
const MESSAGE_TYPE = 53;
export const DHCPDISCOVER = 1;
export const DHCPREQUEST = 3;

/** One DHCP packet of a capture: its message type and every option 55 it carries, in order. */
export interface DhcpPacket {
  type: number;
  requestLists: number[][];
}

/** The DHCP packets of a pcap file (Ethernet, IPv4, UDP, BOOTP). */
export function dhcpPackets(pcap: Buffer): DhcpPacket[] {
  const out: DhcpPacket[] = [];
  for (let at = 24; at + 16 <= pcap.length;) {
    const len = pcap.readUInt32LE(at + 8);
    // A record tcpdump is still writing: not yet.
    if (at + 16 + len > pcap.length) break;
    const frame = pcap.subarray(at + 16, at + 16 + len);
    at += 16 + len;
    const ip = frame.subarray(14);
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    // BOOTP's fixed part is 236 bytes, then the magic cookie, then the options.
    const options = udp.subarray(8 + 236 + 4);
    const p: DhcpPacket = { type: 0, requestLists: [] };
    for (let i = 0; i < options.length && options[i] !== 255;) {
      if (options[i] === 0) {
        i++;
        continue;
      }
      const code = options[i]!;
      const body = options.subarray(i + 2, i + 2 + options[i + 1]!);
      if (code === PARAMETER_REQUEST_LIST) p.requestLists.push([...body]);
      if (code === MESSAGE_TYPE) p.type = body[0]!;
      i += 2 + body.length;
    }
    out.push(p);
  }
  return out;
}

/** tcpdump on `iface` (in `netns`, or here), writing client-to-server DHCP unbuffered into `file`; resolves once it listens. */
export async function captureDhcp(file: string, iface: string, netns: string[] = [], count?: number): Promise<ChildProcess> {
  const args = [...netns, 'tcpdump', '-i', iface, '-n', ...(count ? ['-c', String(count)] : []), '--immediate-mode', '-U', '-w', file, 'udp', 'dst', 'port', '67'];
  const tcpdump = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    tcpdump.stderr!.on('data', (b: Buffer) => b.toString().includes('listening on') && resolve());
    tcpdump.on('exit', (code) => reject(new Error(`tcpdump exited with ${code}`)));
  });
  return tcpdump;
}

/** Resolves with the exit code of `p` once it has exited. */
export const exited = (p: ChildProcess): Promise<number | null> => (p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((resolve) => p.on('exit', (code) => resolve(code))));
