/**
 * Device.DHCPv4.Server.Enable on OpenWrt: the one switch of the DHCPv4 server, over dnsmasq's UCI
 * configuration, which has none of its own. dnsmasq.init gives each `config dhcp` section an
 * `ignore` option (`--no-dhcp-interface` for that interface) and nothing for the whole server; and
 * dnsmasq must keep running, because it is the LAN's DNS resolver too.
 *
 * So the switch is made of the pools' `ignore`, with two options of the agent's own that
 * dnsmasq.init does not read:
 * - `usp_dhcpv4_disabled '1'` on the dnsmasq section: the server is switched off;
 * - `usp_pool_enable` ('1'/'0') on each `config dhcp` section while it is: the pool's own Enable,
 *   so that Enable true gives back every pool as it was.
 * While off, every pool has `ignore '1'`; a Set of a pool's Enable (or an Add) then changes only
 * its `usp_pool_enable`. TR-181: a pool serves only while both it and the server are enabled.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

/** The dnsmasq section's option: the DHCPv4 server is switched off. */
export const SERVER_DISABLED_OPTION = 'usp_dhcpv4_disabled';
/** A pool's own Enable, kept while the server is off (its `ignore` is then '1'). */
export const POOL_ENABLE_OPTION = 'usp_pool_enable';

/** Whether Device.DHCPv4.Server.Enable is false (the dnsmasq section carries our marker). */
export function serverDisabled(config: UciConfig): boolean {
  const dnsmasq = config.find((c) => c.type === 'dnsmasq');
  return uciBool(dnsmasq?.options[SERVER_DISABLED_OPTION], false);
}

/** Pool.{i}.Enable: the pool's own switch, whether or not the server is on. */
export function poolEnabled(s: UciSection, serverOff: boolean): boolean {
  const serving = !uciBool(s.options.ignore, false);
  return serverOff ? uciBool(s.options[POOL_ENABLE_OPTION], serving) : serving;
}

/** Whether dnsmasq serves DHCP for this pool now (the pool enabled and the server on). */
export function poolServing(s: UciSection, config: UciConfig): boolean {
  return !serverDisabled(config) && poolEnabled(s, false);
}

const set = (section: string, option: string, value: string): UciChange => ({ section, option, value });
const remove = (section: string, option: string): UciChange => ({ section, option, value: '', remove: true });

/**
 * The UCI changes of a pool's Enable: its `ignore` while the server is on, else only the kept
 * `usp_pool_enable` (with `ignore` made sure of, should someone have deleted it meanwhile).
 */
export function poolEnableChanges(s: UciSection, enable: boolean, serverOff: boolean): UciChange[] {
  const ignored = s.options.ignore !== undefined && uciBool(s.options.ignore, false);
  if (serverOff) {
    const kept = stringOption(s.options[POOL_ENABLE_OPTION]) === (enable ? '1' : '0');
    return [...(kept ? [] : [set(s.name, POOL_ENABLE_OPTION, enable ? '1' : '0')]), ...(ignored ? [] : [set(s.name, 'ignore', '1')])];
  }
  if (enable === !ignored) return [];
  // `uci delete` of an option that is not there fails ("Entry not found"): only a change is written.
  return [enable ? remove(s.name, 'ignore') : set(s.name, 'ignore', '1')];
}

/**
 * The UCI changes of Server.Enable, or a refusal: nothing when it keeps its value; off: the
 * marker, each pool's own Enable kept and every pool ignored; on: each pool as it was kept,
 * the kept values and the marker deleted.
 */
export function serverEnableChanges(config: UciConfig, enable: Value): UciChange[] | string {
  const dnsmasq = config.find((c) => c.type === 'dnsmasq');
  if (!dnsmasq) return 'no dnsmasq section: there is no DHCPv4 server to switch';
  const off = serverDisabled(config);
  if (enable === !off) return [];
  const pools = config.filter((c) => c.type === 'dhcp');
  const out: UciChange[] = [];
  if (enable === false) {
    out.push(set(dnsmasq.name, SERVER_DISABLED_OPTION, '1'));
    for (const p of pools) {
      const own = poolEnabled(p, false);
      out.push(set(p.name, POOL_ENABLE_OPTION, own ? '1' : '0'));
      if (own) out.push(set(p.name, 'ignore', '1'));
    }
    return out;
  }
  out.push(remove(dnsmasq.name, SERVER_DISABLED_OPTION));
  for (const p of pools) {
    const own = poolEnabled(p, true);
    const ignored = uciBool(p.options.ignore, false);
    if (own && p.options.ignore !== undefined) out.push(remove(p.name, 'ignore'));
    else if (!own && !ignored) out.push(set(p.name, 'ignore', '1'));
    if (stringOption(p.options[POOL_ENABLE_OPTION]) !== undefined) out.push(remove(p.name, POOL_ENABLE_OPTION));
  }
  return out;
}
