/**
 * A real Linux network namespace for tests that let the agent reconfigure a network: named
 * (`ip netns add`), so an agent started with `ip netns exec NAME` sees its own interfaces and
 * its own /sys, and the test reads what the kernel holds there with `ip -n NAME -json ...`.
 * A veth pair joins it to the test's namespace, so a controller reaches the agent over a real
 * WebSocket. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN). `remove()` deletes the namespace and
 * with it every interface inside (the veth peer outside goes with its pair).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One address as `ip -json addr` shows it. */
export interface NsAddress {
  family: string;
  local: string;
  prefixlen: number;
}

/** One link as `ip -json addr` shows it. */
export interface NsLink {
  ifname: string;
  flags: string[];
  mtu: number;
  /** The bridge this device is a port of. */
  master?: string;
  addr_info: NsAddress[];
}

export class NetNamespace {
  private constructor(
    readonly name: string,
    /** The agent's address on the link to the test's namespace. */
    readonly agentAddress: string,
    /** The test-side veth, deleted with the namespace. */
    private readonly outside: string,
  ) {}

  /**
   * Creates namespace `name` with `lo` up and a veth pair to the test's namespace: `outside`
   * (test side, <net>.1/30) and `inside` (in the namespace, <net>.2/30). `net` is three octets,
   * e.g. "10.231.7", unique per test file and process.
   */
  static create(name: string, net: string, outside: string, inside: string): NetNamespace {
    execFileSync('ip', ['netns', 'add', name]);
    const ns = new NetNamespace(name, `${net}.2`, outside);
    try {
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside, 'netns', name);
      ip('addr', 'add', `${net}.1/30`, 'dev', outside);
      ip('link', 'set', outside, 'up');
      ns.ip('link', 'set', 'lo', 'up');
      ns.ip('addr', 'add', `${net}.2/30`, 'dev', inside);
      ns.ip('link', 'set', inside, 'up');
    } catch (e) {
      ns.remove();
      throw e;
    }
    return ns;
  }

  /** `ip -n NAME ARGS...`; throws with ip's message when it fails. */
  ip(...args: string[]): string {
    return ip('-n', this.name, ...args);
  }

  /** Every link of the namespace with its addresses (`ip -json addr show`). */
  links(): NsLink[] {
    return JSON.parse(this.ip('-json', 'addr', 'show')) as NsLink[];
  }

  link(ifname: string): NsLink | undefined {
    return this.links().find((l) => l.ifname === ifname);
  }

  /** The command prefix that runs a process inside the namespace (`ip netns exec NAME`). */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Deletes the namespace (and its interfaces); safe to call twice. */
  remove(): void {
    for (const args of [
      ['netns', 'del', this.name],
      ['link', 'del', this.outside],
    ]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
  }
}

/**
 * A second namespace wired to another one (usually the agent's): a host on the router's LAN, an
 * upstream, a DHCP server. `inside` is the veth end in `router` (the agent's interface, given
 * `routerAddress` when set), `outside` the end in the new namespace (given `address`).
 */
export class PeerNamespace {
  private constructor(readonly name: string) {}

  static beside(router: NetNamespace, name: string, link: { inside: string; outside: string; routerAddress?: string; address?: string }): PeerNamespace {
    execFileSync('ip', ['netns', 'add', name]);
    const ns = new PeerNamespace(name);
    try {
      ns.ip('link', 'set', 'lo', 'up');
      router.ip('link', 'add', link.inside, 'type', 'veth', 'peer', 'name', link.outside, 'netns', name);
      if (link.routerAddress) router.ip('addr', 'add', link.routerAddress, 'dev', link.inside);
      router.ip('link', 'set', link.inside, 'up');
      if (link.address) ns.ip('addr', 'add', link.address, 'dev', link.outside);
      ns.ip('link', 'set', link.outside, 'up');
    } catch (e) {
      ns.remove();
      throw e;
    }
    return ns;
  }

  /** `ip -n NAME ARGS...`; throws with ip's message when it fails. */
  ip(...args: string[]): string {
    return ip('-n', this.name, ...args);
  }

  /** The command prefix that runs a process inside the namespace (`ip netns exec NAME`). */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Deletes the namespace and its end of the link (the router's end goes with it); safe twice. */
  remove(): void {
    spawnSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
  }
}

/**
 * A real dnsmasq in `ns`, in the foreground, with no configuration file and no pid file: the
 * peer DHCP or DNS server of a test. `args` say what it serves. The caller kills it.
 */
export function spawnDnsmasq(ns: PeerNamespace, args: readonly string[]): ChildProcess {
  return spawn(ns.exec[0]!, [...ns.exec.slice(1), '/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--pid-file=', ...args], { stdio: 'ignore' });
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A directory for an agent's PATH whose `nft` refuses every ruleset (as one built without the
 * expressions a table needs would), with the real `ip` and `ethtool` beside it. The caller removes it.
 */
export function pathWithFailingNft(): string {
  const bin = mkdtempSync(join(tmpdir(), 'usp-failing-nft-'));
  writeFileSync(join(bin, 'nft'), '#!/bin/sh\necho "Error: Could not process rule: No such file or directory" >&2\nexit 1\n', { mode: 0o755 });
  for (const tool of ['ip', 'ethtool']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, join(bin, tool));
  }
  return bin;
}
