/**
 * The firewall zone of an IP.Interface a Controller adds on OpenWrt. firewall4 (and firewall3)
 * filter by zone: an interface listed in no zone's `network` gets the `defaults` policy (REJECT
 * input and forward on the shipped configuration), so a new interface would pass no traffic. The
 * agent puts the interfaces it creates (`uspN`, ip-config.ts) in a zone and takes them out again:
 *
 * - the zone of another interface on the same link: the same device, its 802.1Q base device
 *   (`eth1.2` is VLAN 2 of `eth1`) or the bridge it is a port of (`lan4` in `br-lan`), so an
 *   interface on the WAN port joins `wan`, one on a LAN port or the LAN bridge joins `lan`;
 * - otherwise (no LowerLayers, or a link no other interface uses) the `lan` zone.
 *
 * The zone follows the interface's LowerLayers when a Controller changes it (an interface added
 * without one and then put on the WAN port must not stay in `lan`, whose input policy is
 * ACCEPT). Delete takes any interface out of every zone listing it. Written as UCI firewall
 * (`uci add_list`/`del_list` of the zone's `network`), `uci commit firewall`, then the firewall
 * reload the NAT objects use. Interfaces the agent did not create keep the zones the operator
 * gave them. A device without the firewall package (no `firewall` config) gets no zone writes.
 */
import { FIREWALL_RELOAD } from './nat.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { UciChange, UciWriter } from './uci.js';
import { listOption, stringOption, type UciConfig, type UciSection } from './uci-show.js';

/** The names the agent gives the interfaces it creates (ip-config.ts newInterfaceName). */
const AGENT_INTERFACE = /^usp\d+$/;

/** The zone a link without another interface gets: OpenWrt's LAN zone. */
const FALLBACK_ZONE = 'lan';

/** Whether the agent created interface `name` (and so places it in a zone). */
export function agentInterface(name: string): boolean {
  return AGENT_INTERFACE.test(name);
}

/** The device whose interfaces share a link with `device`: its bridge, else its 802.1Q base device. */
function linkOf(network: UciConfig, device: string): string {
  const base = device.replace(/\.\d+$/, '');
  const bridge = network.find((s) => s.type === 'device' && stringOption(s.options.type) === 'bridge' && listOption(s.options.ports).includes(base));
  return stringOption(bridge?.options.name) ?? base;
}

/**
 * The zone interface `name` on `device` belongs in: that of another interface on the same link,
 * else the `lan` zone; undefined when the firewall configuration has neither.
 */
export function zoneFor(network: UciConfig, firewall: UciConfig, name: string, device: string): UciSection | undefined {
  const zones = firewall.filter((s) => s.type === 'zone');
  if (device !== '') {
    const link = linkOf(network, device);
    for (const i of network) {
      const dev = stringOption(i.options.device);
      if (i.type !== 'interface' || i.name === name || !dev || linkOf(network, dev) !== link) continue;
      const z = zones.find((s) => listOption(s.options.network).includes(i.name));
      if (z) return z;
    }
  }
  return zones.find((s) => stringOption(s.options.name) === FALLBACK_ZONE);
}

/** The changes that take `name` out of zone `z`'s `network` (a list item, or a word of a plain option). */
function leave(z: UciSection, name: string): UciChange[] {
  const raw = z.options.network;
  if (Array.isArray(raw)) return [{ section: z.name, option: 'network', value: name, removeItem: true }];
  // `uci del_list` stages nothing on a plain option: rewrite it without the name.
  const rest = listOption(raw).filter((n) => n !== name);
  return [{ section: z.name, option: 'network', value: '', remove: true }, ...rest.map((value) => ({ section: z.name, option: 'network', value, append: true }))];
}

export class InterfaceZones {
  constructor(
    private readonly ctx: OpenWrtContext,
    private readonly uci: UciWriter,
  ) {}

  /**
   * Puts interface `name` (on `device`, "" for none) in its zone and out of every other; nothing
   * is written when it is there already. Resolves with what undoes it.
   */
  async place(name: string, device: string): Promise<() => Promise<void>> {
    const firewall = await this.firewall();
    if (!firewall) return async () => {};
    const target = zoneFor(await this.ctx.uci('network'), firewall, name, device);
    const holding = firewall.filter((s) => s.type === 'zone' && listOption(s.options.network).includes(name));
    const changes = holding.filter((z) => z !== target).flatMap((z) => leave(z, name));
    if (target && !holding.includes(target)) changes.push({ section: target.name, option: 'network', value: name, append: true });
    if (changes.length === 0) return async () => {};
    await this.write(changes);
    return () => this.restore(name, holding);
  }

  /** Takes interface `name` out of every zone. Resolves with what puts it back. */
  async remove(name: string): Promise<() => Promise<void>> {
    const firewall = await this.firewall();
    const holding = (firewall ?? []).filter((s) => s.type === 'zone' && listOption(s.options.network).includes(name));
    if (holding.length === 0) return async () => {};
    await this.write(holding.flatMap((z) => leave(z, name)));
    return () => this.restore(name, holding);
  }

  /** Puts `name` back in exactly the zones `holding` (an undo). */
  private async restore(name: string, holding: readonly UciSection[]): Promise<void> {
    const firewall = (await this.firewall()) ?? [];
    const wanted = new Set(holding.map((z) => z.name));
    const changes: UciChange[] = [];
    for (const z of firewall.filter((s) => s.type === 'zone')) {
      const has = listOption(z.options.network).includes(name);
      if (has && !wanted.has(z.name)) changes.push(...leave(z, name));
      if (!has && wanted.has(z.name)) changes.push({ section: z.name, option: 'network', value: name, append: true });
    }
    if (changes.length > 0) await this.write(changes);
  }

  /** The firewall configuration, or undefined on a device without one (the zone writes are then skipped). */
  private async firewall(): Promise<UciConfig | undefined> {
    try {
      return await this.ctx.uci('firewall');
    } catch (e) {
      this.ctx.log.warn('no firewall configuration: a new IP interface is put in no zone', { error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  private async write(changes: UciChange[]): Promise<void> {
    await this.uci
      .transact(
        'firewall',
        async (stage) => {
          for (const c of changes) await stage.set(c);
        },
        FIREWALL_RELOAD,
      )
      .finally(() => this.ctx.forgetUci('firewall'));
  }
}
