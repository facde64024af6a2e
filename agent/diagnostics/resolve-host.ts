/**
 * Name resolution for the IP diagnostics: the Host (or URL host) resolved once, in the family
 * ProtocolVersion asks for (TR-181 Device.IP.Diagnostics.*() ProtocolVersion; "Any" follows the
 * source address's family, else the system's preference). A host with no address of that family,
 * an IP literal of the other family included, cannot be resolved as asked.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type ProtocolVersion = 'Any' | 'IPv4' | 'IPv6';

export type Resolved = { address: string; family: 4 | 6 } | { error: string };

export async function resolveHost(host: string, version: ProtocolVersion, localAddress?: string): Promise<Resolved> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const local = localAddress ? isIP(localAddress) : 0;
  const want = version === 'IPv4' ? 4 : version === 'IPv6' ? 6 : local;
  try {
    const r = await lookup(bare, { family: want as 0 | 4 | 6 });
    const family = r.family === 6 ? 6 : 4;
    // lookup() returns an IP literal as it is, whatever family was asked for.
    if (want !== 0 && family !== want) return { error: `${bare} has no IPv${want} address` };
    return { address: r.address, family };
  } catch (e) {
    return { error: `${bare}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
}
