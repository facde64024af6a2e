/**
 * Device.DNS.Client.Server.{i}.Interface on Linux (TR-181: "IP interface over which the DNS
 * server is reached"). resolv.conf cannot bind a server to an interface, so the agent pins the
 * server's host route instead: `ip route replace ADDR/32 dev IFNAME [via GW]` (/128 and `-6` for
 * an IPv6 server), GW being that interface's default gateway, else the server is taken as on-link.
 *
 * The agent marks its routes with its own routing protocol number (DNS_ROUTE_PROTOCOL), so a
 * removal (`ip route del ... proto N`) never takes an operator's or a daemon's route, and
 * Device.Routing reads them as not static (a Delete there is refused: they belong to DNS.Client).
 */
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import type { IpLink } from './ip-addr.js';
import type { IpWriter } from './ip-write.js';
import type { IpInterfaceNames } from './nat.js';

/** The rtnetlink protocol number of the agent's name-server routes (iproute2's rt_protos leaves it unnamed). */
export const DNS_ROUTE_PROTOCOL = '250';

export interface DnsServerRouteDeps {
  runner: CommandRunner;
  ip: IpWriter;
  interfaces: IpInterfaceNames;
  links: () => Promise<ReadonlyMap<string, IpLink>>;
  log?: Logger;
}

/** The address part of DNSServer (a link-local IPv6 server's `%scope` dropped) and its family. */
function hostRoute(server: string): { family: '-4' | '-6'; dst: string } {
  const addr = server.split('%', 1)[0];
  return addr.includes(':') ? { family: '-6', dst: `${addr}/128` } : { family: '-4', dst: `${addr}/32` };
}

/** Pins and unpins the host routes of the name servers (see the file comment). */
export class DnsServerRoutes {
  constructor(private readonly d: DnsServerRouteDeps) {}

  /**
   * The netdev of `reference` for `server`: 7012, nothing changed, unless it is an IP.Interface
   * row now, administratively up, holding an address of the server's family.
   */
  async deviceFor(reference: string, server: string, path: string): Promise<string> {
    const refuse = (why: string): never => {
      throw new UspError(ErrorCode.InvalidValue, `${path}Interface: ${why}`, { path: `${path}Interface` });
    };
    const ifname = await this.d.interfaces.nameOf(reference.replace(/\.$/, ''));
    if (ifname === undefined) return refuse(`${JSON.stringify(reference)} is no Device.IP.Interface row`);
    const link = (await this.d.links()).get(ifname);
    if (!link || !(link.flags ?? []).includes('UP')) return refuse(`${reference} (${ifname}) is down`);
    const family = hostRoute(server).family === '-6' ? 'inet6' : 'inet';
    // A link-local IPv6 address reaches only a link-local server: a global one needs a global source.
    const scopes = family === 'inet6' && !/^fe80:/i.test(server) ? ['global'] : ['global', 'site', 'link'];
    const usable = (link.addr_info ?? []).some((a) => a.family === family && scopes.includes(a.scope ?? 'global') && !a.tentative && !a.dadfailed);
    if (!usable) return refuse(`${reference} (${ifname}) has no ${family === 'inet' ? 'IPv4' : 'IPv6'} address to reach ${server} from`);
    return ifname;
  }

  /** The IP.Interface path of `ifname`; "" when it is gone. */
  async pathOf(ifname: string | undefined): Promise<string> {
    return ifname === undefined ? '' : ((await this.d.interfaces.pathOf(ifname)) ?? '');
  }

  /** Routes `server` through `ifname` (via its default gateway when it has one); the kernel's reason as the UspError. */
  async pin(server: string, ifname: string, path?: string): Promise<void> {
    const { family, dst } = hostRoute(server);
    const via = await this.gatewayOf(family, ifname);
    await this.d.ip.run([family, 'route', 'replace', dst, 'dev', ifname, ...(via ? ['via', via] : []), 'proto', DNS_ROUTE_PROTOCOL], path);
  }

  /** Removes the agent's route of `server` through `ifname`, if there is one; never fails (the route may be gone with its interface). */
  async unpin(server: string, ifname: string): Promise<void> {
    const { family, dst } = hostRoute(server);
    try {
      await this.d.runner.run('ip', [family, 'route', 'del', dst, 'dev', ifname, 'proto', DNS_ROUTE_PROTOCOL]);
      this.d.log?.info('name server route removed', { server, ifname });
    } catch {
      // No such route (removed with its interface, or by an operator): nothing of ours is left.
    } finally {
      this.d.runner.invalidate('ip ');
    }
  }

  /** At start: the routes of the file put back (the kernel forgot them at reboot); one that cannot be made is logged, not fatal. */
  async reapply(bindings: ReadonlyMap<string, string>): Promise<void> {
    for (const [server, ifname] of bindings) {
      try {
        await this.pin(server, ifname);
      } catch (e) {
        this.d.log?.warn('name server route not restored', { server, ifname, why: (e as Error).message });
      }
    }
  }

  /** The gateway of `ifname`'s default route in `family`, if it has one. */
  private async gatewayOf(family: '-4' | '-6', ifname: string): Promise<string | undefined> {
    try {
      const out = await this.d.runner.run('ip', ['-j', family, 'route', 'show', 'default', 'dev', ifname]);
      const routes = JSON.parse(out || '[]') as Array<{ gateway?: unknown }>;
      const gw = routes.find((r) => typeof r.gateway === 'string')?.gateway;
      return typeof gw === 'string' ? gw : undefined;
    } catch {
      return undefined;
    }
  }
}
