/**
 * The local IPv4 addresses of the agent's own established TCP connections: the Controller's
 * WebSocket (either direction), an MQTT broker's, a bulk-data upload's. Switching IPv4 off on
 * the interface that holds one of them would cut the agent off from the Controller that asked,
 * so ip-ipv4-switch.ts refuses that (7012) instead.
 *
 * Read from procfs, with no tool to run: the socket inodes among this process's open files
 * (`/proc/self/fd/N` links `socket:[INODE]`), matched with the ESTABLISHED entries of
 * `/proc/net/tcp` and `/proc/net/tcp6` (Node's servers listen dual-stack, so IPv4 peers show
 * there as ::ffff:a.b.c.d). A procfs that cannot be read gives no addresses: the guard then
 * does not refuse (the risk is written next to IPv4Enable in docs/platform-mapping.md).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** The `st` column of an established TCP socket. */
const ESTABLISHED = '01';
/** Open files looked at, at most: a bound on the work of one Set. */
const MAX_FDS = 4096;

/** The IPv4 address of a little-endian hex word of /proc/net/tcp ("0100007F" → 127.0.0.1). */
function ipv4OfWord(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/**
 * The local IPv4 addresses of the ESTABLISHED sockets of one /proc/net/tcp{,6} text whose inode
 * is in `inodes`; a tcp6 entry counts only when its address is IPv4-mapped.
 */
export function establishedLocalIpv4(text: string, inodes: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== ESTABLISHED || !inodes.has(cols[9]!)) continue;
    const local = cols[1]!.split(':')[0]!;
    if (local.length === 8) out.push(ipv4OfWord(local));
    // ::ffff:a.b.c.d: the words 0, 0, 0000FFFF (little-endian FFFF0000), then the IPv4 word.
    else if (local.length === 32 && /^0{16}FFFF0000$/i.test(local.slice(0, 24))) out.push(ipv4OfWord(local.slice(24)));
  }
  return out;
}

/** The local IPv4 addresses of this process's established TCP connections (`procRoot`: where procfs is). */
export async function ownConnectionAddresses(procRoot: string): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fdDir = join(procRoot, 'self', 'fd');
  const fds = await fs.readdir(fdDir).catch(() => [] as string[]);
  for (const fd of fds.slice(0, MAX_FDS)) {
    const target = await fs.readlink(join(fdDir, fd)).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]!);
  }
  const out = new Set<string>();
  if (inodes.size === 0) return out;
  for (const table of ['tcp', 'tcp6']) {
    const text = await fs.readFile(join(procRoot, 'net', table), 'utf8').catch(() => '');
    for (const a of establishedLocalIpv4(text, inodes)) out.add(a);
  }
  return out;
}
