/**
 * Device.USB.Interface.{i}.Enable on OpenWrt (USBInterface:1): the USB netdev's netifd
 * `config device` section, as an Ethernet port's Enable (ethernet-port-write.ts). False writes
 * `enabled '0'` (a `usp_port_<netdev>` section when it has none), true removes the option;
 * `uci commit network` then `ubus call network reload`.
 *
 * Why the section and not `ip link set`: netifd owns the links of the devices its interfaces use
 * and brings them up again on its next reload or hotplug event, so a bare `ip link` change would
 * not last. A section with `enabled '0'` makes netifd treat the device as absent (down) across
 * reloads and reboots. For the same reason Enable reads the section (netifd's default: enabled),
 * not the link's up flag: a USB netdev no interface uses stays down while enabled, and Status
 * says so. Disabling the device the default route leaves through (a USB modem uplink, the way to
 * the Controller) is refused with 7012, as for Ethernet ports.
 */
import type { SysfsUsbOptions } from '../usb/usb-sysfs.js';
import { EthernetPortWrites } from './ethernet-port-write.js';
import { portEnabled, portSection } from './ethernet-port-config.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { UciWriter } from './uci.js';

/** The Interface Enable hooks of the shared sysfs USB provider, over netifd's device sections. */
export function openWrtUsbInterfaceEnable(ctx: OpenWrtContext, uci: UciWriter): Pick<SysfsUsbOptions, 'setLinkEnable' | 'configuredEnable'> {
  const writes = new EthernetPortWrites(ctx, uci);
  return {
    // Only Enable changes: netifd's status of the device (used for link modes) is not needed.
    setLinkEnable: (name, enable, path) => writes.set(name, undefined, { Enable: enable }, path),
    configuredEnable: async (name) => {
      const config = await writes.config();
      return config ? portEnabled(portSection(config, name)) : undefined;
    },
  };
}
