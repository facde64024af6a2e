/**
 * Device.DNS.Client.Enable on OpenWrt (TR-181 Baseline:4): whether the device's own name lookups
 * reach a DNS server. On OpenWrt the libc resolver reads /etc/resolv.conf (→ /tmp/resolv.conf),
 * and with dnsmasq's `localuse` on, dnsmasq.init writes that file with only the loopback
 * addresses (127.0.0.1, ::1): every lookup of the device goes to dnsmasq over `lo`. dnsmasq is
 * also the LAN's DNS relay (Device.DNS.Relay), so it must keep running for the LAN.
 *
 * So Enable false is two options of the dnsmasq section: `localuse '1'` (resolv.conf names only
 * the loopback addresses, never the uplink's servers) and `notinterface 'lo'` (dnsmasq's
 * `--except-interface=lo`: it answers nothing that arrives on loopback). The device's own
 * lookups then get no answer; the LAN's go on. What was there before is kept in options of the
 * agent's own, which dnsmasq.init does not read, so Enable true gives it back:
 * - `usp_dns_client_off '1'`: the client is switched off (what Enable reads);
 * - `usp_localuse`: `localuse` as it was ('0', '1', or 'unset' for no option);
 * - `usp_notinterface_lo '1'`: the agent added the `lo` item (one already there stays on true).
 * The agent's own Controller connection resolves names the same way: a Controller reached by
 * host name is unreachable until Enable is true again (or the agent restarts with an address).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { DHCP_RELOAD } from './DhcpState.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type UciChange, type UciWriter } from './uci.js';
import { listOption, stringOption, uciBool, type UciConfig } from './uci-show.js';

export const CLIENT_OFF_OPTION = 'usp_dns_client_off';
export const KEPT_LOCALUSE_OPTION = 'usp_localuse';
export const ADDED_LO_OPTION = 'usp_notinterface_lo';
const UNSET = 'unset';

/** Device.DNS.Client.Enable and Status from `uci show dhcp`. */
export function dnsClientValues(dhcp: UciConfig): Record<string, Value> {
  const dnsmasq = dhcp.find((s) => s.type === 'dnsmasq');
  const on = !uciBool(dnsmasq?.options[CLIENT_OFF_OPTION], false);
  return { Enable: on, Status: on ? 'Enabled' : 'Disabled' };
}

/** The dhcp changes of a Set of Client.Enable, or why it cannot be made (nothing for its current value). */
export function dnsClientEnableChanges(dhcp: UciConfig, enable: Value): UciChange[] | string {
  const s = dhcp.find((c) => c.type === 'dnsmasq');
  if (!s) return 'no dnsmasq section in /etc/config/dhcp: dnsmasq is not the local resolver to switch';
  const off = uciBool(s.options[CLIENT_OFF_OPTION], false);
  if (enable === !off) return [];
  const set = (option: string, value: string): UciChange => ({ section: s.name, option, value });
  const remove = (option: string): UciChange => ({ section: s.name, option, value: '', remove: true });
  const localuse = stringOption(s.options.localuse);
  const hasLo = listOption(s.options.notinterface).includes('lo');
  if (enable === false) {
    return [
      set(CLIENT_OFF_OPTION, '1'),
      set(KEPT_LOCALUSE_OPTION, localuse ?? UNSET),
      ...(localuse === '1' ? [] : [set('localuse', '1')]),
      ...(hasLo ? [] : [{ section: s.name, option: 'notinterface', value: 'lo', append: true }, set(ADDED_LO_OPTION, '1')]),
    ];
  }
  const kept = stringOption(s.options[KEPT_LOCALUSE_OPTION]);
  const out: UciChange[] = [remove(CLIENT_OFF_OPTION)];
  if (kept !== undefined) {
    out.push(remove(KEPT_LOCALUSE_OPTION));
    // `uci delete` of an absent option fails: only a change is written.
    if (kept === UNSET) {
      if (localuse !== undefined) out.push(remove('localuse'));
    } else if (kept !== localuse) out.push(set('localuse', kept));
  }
  if (uciBool(s.options[ADDED_LO_OPTION], false)) {
    out.push(remove(ADDED_LO_OPTION));
    if (hasLo) out.push({ section: s.name, option: 'notinterface', value: 'lo', removeItem: true });
  }
  return out;
}

/** Serves Device.DNS.Client.Enable/Status; a Set writes dhcp, `uci commit dhcp`, and procd reloads dnsmasq. */
export function registerDNSClientEnable(ctx: OpenWrtContext, uci: UciWriter): void {
  // Without a dhcp config there is no dnsmasq: resolv.conf is netifd's, the client is on.
  const read = async (): Promise<Record<string, Value>> => dnsClientValues(await ctx.uci('dhcp').catch(() => []));
  ctx.model.register('Device.DNS.Client.', {
    params: ['Enable', 'Status'],
    writable: ['Enable'],
    get: read,
    set: async (_keys, changes) => {
      const dhcp = await ctx.uci('dhcp');
      const plan = planWrite(dnsClientValues(dhcp), changes, { Enable: (v) => dnsClientEnableChanges(dhcp, v) });
      await uci.apply('dhcp', plan, DHCP_RELOAD).finally(() => ctx.forgetUci('dhcp'));
    },
  });
}
