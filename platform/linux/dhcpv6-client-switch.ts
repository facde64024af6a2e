/**
 * Whether generic Linux serves Device.DHCPv6.Client.: with the agent's own DHCP clients on
 * (`--dhcp-client udhcpc`) and dhcpcd installed. Without dhcpcd an info line says why.
 */
import { existsSync } from 'node:fs';
import { LinuxDhcpv6Client, type LinuxDhcpv6ClientOptions } from './dhcpv6-client.js';

/** Where Debian's dhcpcd-base puts the program. */
export const DHCPCD_BIN = '/usr/sbin/dhcpcd';

export function registerLinuxDhcpv6Client(opts: LinuxDhcpv6ClientOptions, loaded: Array<() => Promise<void>>, stops: Array<() => void>): void {
  const binary = opts.binary ?? DHCPCD_BIN;
  if (!existsSync(binary)) {
    opts.log?.info('Device.DHCPv6.Client. not served', { why: `no dhcpcd (${binary})`, setting: '--dhcp-client' });
    return;
  }
  const c = new LinuxDhcpv6Client({ ...opts, binary });
  c.register();
  loaded.push(() => c.start());
  stops.push(() => c.stop());
}
