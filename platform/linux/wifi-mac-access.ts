/**
 * Device.WiFi.AccessPoint.{i}.MACAddressControlEnabled and AllowedMACAddress on generic Linux
 * (TR-181 WiFiAccessPoint:2), as hostapd's MAC address access control: `macaddr_acl 1` lets only
 * the stations of its accept list associate, `macaddr_acl 0` every station not on its deny list.
 * The accept list is hostapd's running one, changed and read through its control interface
 * (`accept_acl CLEAR`, `accept_acl ADD_MAC <mac>`, `accept_acl SHOW`: recorded in
 * test/fixtures/linux/wifi-hostapd-radio-writes), so AllowedMACAddress reads what hostapd holds,
 * not what the agent wrote. hostapd keeps the list while it runs (a `reload` does not drop it);
 * after a restart it runs its file's `accept_mac_file` again, and the agent sends the list it
 * holds once more (wifi-reapply.ts), before macaddr_acl, so no station is refused in between.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, type HostapdWriter } from './wifi-write.js';

/** At most this many addresses in AllowedMACAddress (hostapd has no limit; every address is one control command). */
export const MAX_ALLOWED_MACS = 256;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** `accept_acl SHOW` (and `deny_acl SHOW`): one `<mac> VLAN_ID=<n>` line per address, in hostapd's order. */
export function parseMacAcl(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const mac = line.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (MAC.test(mac) && !out.includes(mac)) out.push(mac);
  }
  return out;
}

/** The addresses of an AllowedMACAddress value (lower case, each once, in order); 7012 for one that is not a MAC address. */
export function allowedMacs(value: Value): string[] {
  const items = String(value)
    .split(',')
    .map((m) => m.trim().toLowerCase())
    .filter((m) => m !== '');
  const bad = items.find((m) => !MAC.test(m));
  if (bad !== undefined) throw invalid('AllowedMACAddress', `${bad.slice(0, 40)} is not a MAC address (xx:xx:xx:xx:xx:xx)`);
  const out = [...new Set(items)];
  if (out.length > MAX_ALLOWED_MACS) throw invalid('AllowedMACAddress', `at most ${MAX_ALLOWED_MACS} addresses`);
  return out;
}

/** macaddr_acl for MACAddressControlEnabled (hostapd's 2, ask a RADIUS server, is not set here). */
export function macAclValue(enabled: Value): string {
  return enabled === true ? '1' : '0';
}

/**
 * Makes hostapd's accept list of BSS `ifname` exactly `macs`: cleared, then each added (hostapd
 * drops a station no longer listed while macaddr_acl is 1). A refusal is a 7002 (HostapdWriter.command).
 */
export async function setAcceptList(writer: HostapdWriter, ifname: string, macs: readonly string[]): Promise<void> {
  await writer.command(ifname, ['accept_acl', 'CLEAR']);
  for (const mac of macs) await writer.command(ifname, ['accept_acl', 'ADD_MAC', mac]);
}
