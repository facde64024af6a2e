/**
 * A LAN host for agents that run in this machine's own network namespace (the OpenWrt tests,
 * whose ubus stand-in names a kernel device as the lan's): a veth whose near end `dev` stays
 * here as the "lan device" and whose far end is `eth0` in a new namespace `ns`, where a real
 * daemon (avahi, miniupnpd) runs.
 */
import { execFileSync } from 'node:child_process';

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

export interface HostLanPeer {
  /** The peer's namespace. */
  ns: string;
  /** The near end in this namespace (at most 15 characters). */
  dev: string;
  /** `dev`'s address with its prefix length (`10.232.1.1/24`). */
  devAddress: string;
  /** The peer's eth0 address with its prefix length. */
  peerAddress: string;
}

/** Creates the namespace and the veth, addresses both ends and brings them (and the peer's lo) up. */
export function addHostLanPeer(p: HostLanPeer): void {
  ip('netns', 'add', p.ns);
  ip('link', 'add', p.dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.ns);
  ip('addr', 'add', p.devAddress, 'dev', p.dev);
  ip('link', 'set', p.dev, 'up');
  ip('-n', p.ns, 'addr', 'add', p.peerAddress, 'dev', 'eth0');
  ip('-n', p.ns, 'link', 'set', 'eth0', 'up');
  ip('-n', p.ns, 'link', 'set', 'lo', 'up');
}

/** Deletes the namespace and the near end (usually gone with it already); safe after a failed add. */
export function removeHostLanPeer(p: Pick<HostLanPeer, 'ns' | 'dev'>): void {
  execFileSync('ip', ['netns', 'del', p.ns], { stdio: 'ignore' });
  try {
    ip('link', 'del', p.dev);
  } catch {
    /* gone with the namespace */
  }
}
