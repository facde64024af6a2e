/**
 * Device.IP.IPv4Enable and Device.IP.Interface.{i}.IPv4Enable on Linux (TR-181 IPInterface:2).
 * Linux has no switch that detaches an interface from IPv4: an interface takes part in IPv4
 * whenever it holds an IPv4 address. So "IPv4 off" is made honestly the only way it can be:
 *
 * - the interface holds no IPv4 address. Its permanent addresses (whoever added them: on an
 *   interface given to the agent with `--manage-interfaces` the agent cannot tell its own from the
 *   host's, and TR-181 says the interface passes no IPv4 at all) and the IPv4 routes over it that
 *   someone added (not the kernel's own, nor a DHCP client's) are kept aside by the agent, then
 *   `ip -4 addr flush`; the kernel drops the routes with the last address. The kept addresses stay
 *   IPv4Address rows (Enable true, Status Disabled). Addresses with lifetimes (an outside DHCP
 *   client's) are removed and not kept: their client gives them again.
 * - a DHCPv4 client the agent runs there (`--dhcp-client udhcpc`) is stopped first (it releases
 *   its lease) and started again when IPv4 comes back.
 * - back on, the kept addresses are added again, then the kept routes.
 *
 * The effective state of an interface is its own IPv4Enable AND Device.IP.IPv4Enable, as TR-181
 * reads IPv4Status; loopback is never switched off (IP.IPv4Enable false leaves it, and its own
 * IPv4Enable false is 7012: the agent's local peers talk over it). Interface.IPv4Enable keeps its
 * own value while the stack is off.
 *
 * Refused (7012, nothing changed): switching off IPv4 where the agent's own connection to its
 * Controller (or broker) has its local address (own-connections.ts). Writes follow
 * `--manage-interfaces`: an interface's switch needs it managed (7002), Device.IP.IPv4Enable
 * needs `*`.
 *
 * The switches and what they keep aside are kept in the agent's store (row Device.IP., beside the
 * ULA keys), so they outlive a restart; at start (`stateLoaded`) an interface whose IPv4 is off
 * and that holds IPv4 addresses again (a reboot, the host's own configuration) is switched off
 * again, those addresses kept aside too.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { FOREVER, type IpLink } from './ip-addr.js';
import { routeAdd, type RouteEntry } from './ip-interface-restack.js';
import type { LinuxContext } from './LinuxContext.js';
import { ownConnectionAddresses } from './own-connections.js';

/** The store row, and the keys beside the TR-181 values (ip-ula.ts uses the same row). */
const ROW = 'Device.IP.';
const STACK_OFF_KEY = '$ipv4StackOff';
const OFF_INTERFACES_KEY = '$ipv4OffInterfaces';
const HELD_KEY = '$ipv4Held';
/** Addresses and routes kept aside at most, over every interface (the store row holds them all). */
export const MAX_HELD = 256;

/** What one interface's switch keeps aside: `ip addr add` CIDRs and `ip route add` argument lists. */
interface Held {
  a: string[];
  r: string[][];
}

export interface Ipv4SwitchDeps {
  ctx: LinuxContext;
  store: DataStore;
  /** The links as the kernel holds them now (the shared `ip -j addr` snapshot). */
  links(): Promise<ReadonlyMap<string, IpLink>>;
  /** The IPv4 routes over a device (`ip -j -4 route show table all dev NAME`). */
  routes(name: string): Promise<RouteEntry[]>;
  /** The agent's own connections' local IPv4 addresses (default: own-connections.ts on the context's procfs). */
  ownAddresses?(): Promise<ReadonlySet<string>>;
}

function isLoopback(link: IpLink | undefined, name: string): boolean {
  return name === 'lo' || (link?.flags ?? []).includes('LOOPBACK') || link?.link_type === 'loopback';
}

export class LinuxIpv4Switches {
  /** Run after a switch changes (the DHCPv4 clients follow it). */
  readonly followers: Array<() => Promise<void>> = [];

  constructor(private readonly d: Ipv4SwitchDeps) {}

  /** Device.IP.IPv4Enable. */
  stackOn(): boolean {
    return this.row()[STACK_OFF_KEY] !== true;
  }

  /** IP.Interface.{i}.IPv4Enable of `name`: its own value. */
  interfaceOn(name: string): boolean {
    return !this.offInterfaces().has(name);
  }

  /** Whether `name` takes part in IPv4 now: its own switch and the stack's (loopback always). */
  effective(name: string): boolean {
    return name === 'lo' || (this.stackOn() && this.interfaceOn(name));
  }

  /** The prefix length of an address kept aside on `ifname`, or undefined. */
  heldPrefix(ifname: string, local: string): number | undefined {
    const cidr = this.held()
      .get(ifname)
      ?.a.find((c) => c.split('/')[0] === local);
    return cidr === undefined ? undefined : Number(cidr.split('/')[1]);
  }

  /** The addresses kept aside on `ifname`. */
  heldLocals(ifname: string): string[] {
    return (this.held().get(ifname)?.a ?? []).map((c) => c.split('/')[0]!);
  }

  /** Forgets a kept address (its IPv4Address row deleted): it is not put back. */
  dropHeld(ifname: string, local: string): void {
    const all = this.held();
    const h = all.get(ifname);
    if (!h) return;
    h.a = h.a.filter((c) => c.split('/')[0] !== local);
    this.putHeld(all);
  }

  /** Keeps `local/prefixlen` aside on `ifname` again (a failed Delete of its row undone). */
  keepHeld(ifname: string, local: string, prefixlen: number): void {
    const all = this.held();
    const h = all.get(ifname) ?? { a: [], r: [] };
    const cidr = `${local}/${prefixlen}`;
    if (!h.a.includes(cidr)) h.a.push(cidr);
    all.set(ifname, h);
    this.putHeld(all);
  }

  /** A Set of Device.IP.IPv4Enable. */
  async setStack(on: boolean, path: string): Promise<void> {
    if (on === this.stackOn()) return;
    const links = await this.freshLinks();
    // The interfaces whose effective state changes: those whose own switch is on.
    const affected = [...links.values()].filter((l) => !isLoopback(l, l.ifname) && this.interfaceOn(l.ifname)).map((l) => l.ifname);
    if (!this.d.ctx.ip.managed.has('*')) {
      throw new UspError(ErrorCode.RequestDenied, `${path}IPv4Enable switches IPv4 on every interface: start the agent with --manage-interfaces '*' to let controllers change it`, { path });
    }
    if (!on) await this.refuseOwnPath(affected, links, path);
    this.put({ [STACK_OFF_KEY]: !on });
    await this.followOrUndo(affected, on, links, path, () => this.put({ [STACK_OFF_KEY]: on }));
  }

  /** Checks a Set of IP.Interface.{i}.IPv4Enable on `name` before anything else of the Set is applied. */
  async check(name: string, on: boolean, path: string): Promise<void> {
    if (on === this.interfaceOn(name)) return;
    this.d.ctx.ip.requireManaged(name, path);
    const links = await this.freshLinks();
    if (isLoopback(links.get(name), name) && !on) {
      throw new UspError(ErrorCode.InvalidValue, `${path}IPv4Enable: the loopback interface stays attached to IPv4 (the agent and its local peers talk over it)`, { path });
    }
    if (!on && this.stackOn()) await this.refuseOwnPath([name], links, path);
  }

  /** A Set of IP.Interface.{i}.IPv4Enable on `name` (check() passed). */
  async setInterface(name: string, on: boolean, path: string): Promise<void> {
    if (on === this.interfaceOn(name)) return;
    const before = this.offInterfaces();
    const offs = new Set(before);
    if (on) offs.delete(name);
    else offs.add(name);
    this.put({ [OFF_INTERFACES_KEY]: [...offs].join(',') });
    // With the stack off the interface stays off whatever its own switch says.
    if (this.stackOn()) await this.followOrUndo([name], on, await this.freshLinks(), path, () => this.put({ [OFF_INTERFACES_KEY]: [...before].join(',') }));
  }

  /**
   * follow(), and when it fails the switch back as it was (`undo`) and the interfaces made to
   * follow that, as far as they can: a Set that fails leaves no trace (the transaction undoes only
   * the Sets that succeeded).
   */
  private async followOrUndo(names: readonly string[], on: boolean, links: ReadonlyMap<string, IpLink>, path: string, undo: () => void): Promise<void> {
    try {
      await this.follow(names, on, links, path);
    } catch (e) {
      undo();
      await this.follow(names, !on, await this.freshLinks(), path).catch(() => undefined);
      throw e;
    }
  }

  /** After the store is loaded: a managed interface whose IPv4 is off and holds IPv4 addresses again is switched off again. */
  async stateLoaded(): Promise<void> {
    const links = await this.freshLinks();
    const again = [...links.values()].filter((l) => !this.effective(l.ifname) && !isLoopback(l, l.ifname) && (l.addr_info ?? []).some((a) => a.family === 'inet'));
    for (const l of again) {
      if (!this.d.ctx.ip.managed.has(l.ifname)) {
        this.d.ctx.log?.info('IPv4 not switched off again: the interface is not managed', { interface: l.ifname, setting: '--manage-interfaces' });
        continue;
      }
      await this.detach(l.ifname, links).catch((e: unknown) => this.d.ctx.log?.warn('IPv4 not switched off again', { interface: l.ifname, why: e instanceof Error ? e.message : String(e) }));
    }
    await this.d.store.flush().catch(() => undefined);
  }

  /** 7012 when one of the agent's own connections has its local address on one of `names`. */
  private async refuseOwnPath(names: readonly string[], links: ReadonlyMap<string, IpLink>, path: string): Promise<void> {
    const own = await (this.d.ownAddresses ? this.d.ownAddresses() : ownConnectionAddresses(this.d.ctx.files.procRoot));
    for (const name of names) {
      const hit = (links.get(name)?.addr_info ?? []).find((a) => a.family === 'inet' && own.has(a.local));
      if (hit) {
        throw new UspError(
          ErrorCode.InvalidValue,
          `${path}IPv4Enable: the agent's own connection (its Controller's or broker's) runs over ${hit.local} on ${name}; switching IPv4 off there would cut it`,
          { path },
        );
      }
    }
  }

  /** Makes `names` follow a switch that went `on`, then the DHCP clients. */
  private async follow(names: readonly string[], on: boolean, links: ReadonlyMap<string, IpLink>, path: string): Promise<void> {
    if (!on) {
      // The agent's DHCP clients release their leases first (their script removes the address).
      await this.runFollowers();
      for (const name of names) if (links.has(name)) await this.detach(name, await this.freshLinks(), path);
      return;
    }
    for (const name of names) await this.attach(name, path);
    await this.runFollowers();
  }

  private async runFollowers(): Promise<void> {
    for (const f of this.followers) await f().catch((e: unknown) => this.d.ctx.log?.warn('DHCPv4 clients did not follow the IPv4 switch', { why: e instanceof Error ? e.message : String(e) }));
  }

  /** Keeps `name`'s permanent IPv4 addresses and added routes aside (in the store), then flushes its IPv4 addresses. */
  private async detach(name: string, links: ReadonlyMap<string, IpLink>, path?: string): Promise<void> {
    const v4 = (links.get(name)?.addr_info ?? []).filter((a) => a.family === 'inet');
    if (v4.length === 0) return;
    const all = this.held();
    const h = all.get(name) ?? { a: [], r: [] };
    for (const a of v4) {
      const permanent = !a.dynamic && (a.valid_life_time === undefined || a.valid_life_time >= FOREVER);
      const cidr = `${a.local}/${a.prefixlen}`;
      if (permanent && !h.a.includes(cidr)) h.a.push(cidr);
    }
    const routes = await this.d.routes(name);
    for (const r of Array.isArray(routes) ? routes : []) {
      const add = routeAdd('-4', r)?.(name);
      if (add && !h.r.some((x) => x.join(' ') === add.join(' '))) h.r.push(add);
    }
    all.set(name, h);
    const count = [...all.values()].reduce((n, x) => n + x.a.length + x.r.length, 0);
    if (count > MAX_HELD * 2) {
      throw new UspError(ErrorCode.ResourcesExceeded, `${path ?? ROW}IPv4Enable: at most ${MAX_HELD} addresses and ${MAX_HELD} routes are kept aside`, { path });
    }
    // Kept before the kernel forgets them: a crash in between loses nothing.
    this.putHeld(all);
    await this.d.ctx.ip.run(['-4', 'addr', 'flush', 'dev', name], path);
    this.d.ctx.log?.info('IPv4 switched off', { interface: name, kept: h.a.join(' ') });
  }

  /** Puts `name`'s kept addresses back, then its kept routes; forgets them. */
  private async attach(name: string, path: string): Promise<void> {
    const all = this.held();
    const h = all.get(name);
    if (!h) return;
    for (const cidr of h.a) {
      await this.d.ctx.ip.run(['-4', 'addr', 'add', cidr, 'dev', name], path).catch((e: unknown) => {
        // Already there (an operator put it back): the switch still goes on.
        if (!(e instanceof UspError && e.code === ErrorCode.DuplicateUniqueKey)) throw e;
      });
    }
    for (const route of h.r) {
      // A route whose gateway is no longer on-link is logged, not fatal: the addresses are back.
      await this.d.ctx.ip.run(route, path).catch((e: unknown) => this.d.ctx.log?.warn('kept IPv4 route not restored', { route: route.join(' '), why: e instanceof Error ? e.message : String(e) }));
    }
    all.delete(name);
    this.putHeld(all);
    this.d.ctx.log?.info('IPv4 switched on', { interface: name, restored: h.a.join(' ') });
  }

  private async freshLinks(): Promise<ReadonlyMap<string, IpLink>> {
    this.d.ctx.runner.invalidate('ip ');
    return this.d.links();
  }

  private row(): Readonly<Record<string, unknown>> {
    return this.d.store.row(ROW) ?? {};
  }

  private offInterfaces(): Set<string> {
    const text = this.row()[OFF_INTERFACES_KEY];
    return new Set(typeof text === 'string' ? text.split(',').filter(Boolean) : []);
  }

  private held(): Map<string, Held> {
    const text = this.row()[HELD_KEY];
    try {
      const parsed = typeof text === 'string' ? (JSON.parse(text) as Record<string, Held>) : {};
      return new Map(Object.entries(parsed).filter(([, h]) => Array.isArray(h?.a) && Array.isArray(h?.r)));
    } catch {
      return new Map();
    }
  }

  private putHeld(all: Map<string, Held>): void {
    this.put({ [HELD_KEY]: JSON.stringify(Object.fromEntries([...all].filter(([, h]) => h.a.length + h.r.length > 0))) });
  }

  private put(values: Record<string, string | boolean>): void {
    // Inside a Set the transaction's commit saves it; stateLoaded saves its own.
    this.d.store.setRow(ROW, { ...(this.d.store.row(ROW) ?? {}), ...values });
  }
}
