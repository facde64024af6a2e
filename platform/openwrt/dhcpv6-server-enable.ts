/**
 * Device.DHCPv6.Server.Enable on OpenWrt: odhcpd has no switch for its DHCPv6 service as a whole,
 * only each `config dhcp` section's `dhcpv6` mode, and it must keep running for the router
 * advertisements. So, as for the DHCPv4 server (dhcpv4-server-enable.ts), the switch is made of
 * the pools' modes and two options of the agent's own that odhcpd does not read:
 * - `usp_dhcpv6_disabled '1'` on the `odhcpd` section: the server is switched off;
 * - `usp_dhcpv6_mode` ('server'/'hybrid') on each pool that served when it was: every such pool
 *   is `dhcpv6 'disabled'` meanwhile, and Enable true gives each its mode back.
 * While off, a pool's Enable reads and writes only its kept mode. Pure.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

export const DHCPV6_DISABLED_OPTION = 'usp_dhcpv6_disabled';
export const DHCPV6_MODE_OPTION = 'usp_dhcpv6_mode';
const SERVING = new Set(['server', 'hybrid']);

const set = (section: string, option: string, value: string): UciChange => ({ section, option, value });
const remove = (section: string, option: string): UciChange => ({ section, option, value: '', remove: true });

/** Whether Device.DHCPv6.Server.Enable is false (the odhcpd section carries our marker). */
export function dhcpv6ServerOff(config: UciConfig): boolean {
  return uciBool(config.find((s) => s.type === 'odhcpd')?.options[DHCPV6_DISABLED_OPTION], false);
}

/** Pool.{i}.Enable: its own switch, kept in `usp_dhcpv6_mode` while the server is off. */
export function v6PoolEnabled(s: UciSection, serverOff: boolean): boolean {
  if (serverOff && s.options[DHCPV6_MODE_OPTION] !== undefined) return true;
  return SERVING.has(stringOption(s.options.dhcpv6) ?? '');
}

/** The UCI changes of a pool's Enable: its `dhcpv6` while the server is on, else only the kept mode. */
export function v6PoolEnableChanges(s: UciSection, enable: boolean, serverOff: boolean): UciChange[] {
  if (enable === v6PoolEnabled(s, serverOff)) return [];
  if (!serverOff) return [set(s.name, 'dhcpv6', enable ? 'server' : 'disabled')];
  return enable ? [set(s.name, DHCPV6_MODE_OPTION, 'server')] : [remove(s.name, DHCPV6_MODE_OPTION)];
}

/**
 * The UCI changes of Server.Enable, or why it cannot be switched: off keeps each serving pool's
 * mode and disables it; on gives the kept modes back and deletes them and the marker.
 */
export function dhcpv6ServerEnableChanges(config: UciConfig, pools: readonly UciSection[], enable: Value): UciChange[] | string {
  const odhcpd = config.find((s) => s.type === 'odhcpd');
  if (!odhcpd) return 'no odhcpd section: there is no DHCPv6 server to switch';
  const off = dhcpv6ServerOff(config);
  if (enable === !off) return [];
  const out: UciChange[] = [];
  if (enable === false) {
    out.push(set(odhcpd.name, DHCPV6_DISABLED_OPTION, '1'));
    for (const p of pools) {
      const mode = stringOption(p.options.dhcpv6) ?? '';
      if (SERVING.has(mode)) out.push(set(p.name, DHCPV6_MODE_OPTION, mode), set(p.name, 'dhcpv6', 'disabled'));
    }
    return out;
  }
  out.push(remove(odhcpd.name, DHCPV6_DISABLED_OPTION));
  for (const p of pools) {
    const kept = stringOption(p.options[DHCPV6_MODE_OPTION]);
    if (kept === undefined) continue;
    out.push(set(p.name, 'dhcpv6', SERVING.has(kept) ? kept : 'server'), remove(p.name, DHCPV6_MODE_OPTION));
  }
  return out;
}
