// Example plugin (INTEGRATING.md): a vendor parameter X_<VENDOR>_USBDeviceCount on
// Device.DeviceInfo. (an object the platform serves), a vendor command
// Device.USB.USBHosts.X_<VENDOR>_Rescan() and a vendor event X_<VENDOR>_DevicesChanged!, all read
// from Linux's /sys/bus/usb/devices; and, on a platform that does not serve Device.USB. itself
// (the built-in ones do), Device.USB.USBHosts.Host.{i}. and Host.{i}.Device.{i}. from the same scan.
// Load it with
//
//   usp-agent run --defaults ... --vendor-prefix X_EXAMPLE-COM_ --plugin examples/plugins/usb-sysfs.mjs
//
// USB_SYSFS_ROOT (default /sys) names the sysfs root, so a test can feed a recorded tree;
// USB_SYSFS_CACHE_MS (default 2000) how long one scan serves every read.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** @typedef {import('usp-agent/plugin').PluginApi} PluginApi */
/** @typedef {{ name: string, rootHub: boolean, attrs: Record<string, string | undefined> }} UsbDevice  sysfs attributes by file name */

/**
 * One attribute file, trimmed; undefined when absent.
 * @param {string} dir
 * @param {string} name
 */
async function attr(dir, name) {
  try {
    return (await readFile(join(dir, name), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** @param {string | undefined} s */
const hex = (s) => (s === undefined ? 0 : parseInt(s, 16) || 0);
/** @param {string | undefined} s */
const int = (s) => (s === undefined ? 0 : parseInt(s, 10) || 0);
/** sysfs `speed` (Mbit/s) → TR-181 Rate. */
/** @param {string | undefined} speed */
const rate = (speed) => ({ 1.5: 'Low', 12: 'Full', 480: 'High' })[speed] ?? (Number(speed) >= 5000 ? 'Super' : 'Unknown');
/** The root hub's product names its controller type. */
/** @param {string | undefined} product */
const hostType = (product = '') => ['xHCI', 'EHCI', 'OHCI', 'UHCI'].find((t) => product.includes(t)) ?? 'Unknown';

/**
 * Every USB device under `root`: root hubs (usbN) and devices (BUS-PORT...), not interfaces (with ':').
 * @param {string} root
 * @returns {Promise<UsbDevice[]>}
 */
async function scan(root) {
  const dir = join(root, 'bus/usb/devices');
  const names = (await readdir(dir)).filter((n) => !n.includes(':')).sort();
  return Promise.all(
    names.map(async (name) => {
      const d = join(dir, name);
      /** @type {Record<string, string | undefined>} */
      const a = {};
      for (const k of [
        'busnum',
        'devnum',
        'devpath',
        'speed',
        'version',
        'product',
        'manufacturer',
        'serial',
        'idVendor',
        'idProduct',
        'bDeviceClass',
        'bDeviceSubClass',
        'bDeviceProtocol',
        'bcdDevice',
        'maxchild',
        'bmAttributes',
        'power/runtime_status',
      ])
        a[k] = await attr(d, k);
      return { name, rootHub: name.startsWith('usb'), attrs: a };
    }),
  );
}

export default {
  name: 'usb-sysfs',
  /** @param {PluginApi} api */
  register(api) {
    const root = process.env.USB_SYSFS_ROOT ?? '/sys';
    const maxAgeMs = Number(process.env.USB_SYSFS_CACHE_MS ?? 2000);
    const prefix = api.vendorPrefix;
    // A vendor event: a scan found a different number of devices than the scan before.
    const devicesChanged = api.addVendorEvent('Device.USB.USBHosts.', { name: `${prefix}DevicesChanged!`, args: [{ name: 'DeviceCount', type: 'unsignedInt' }] });
    /** @type {number | undefined} */
    let lastCount;
    // One scan of /sys fills every object below for maxAgeMs; concurrent reads share it.
    const usb = api.helpers.cachedSource(
      async () => {
        const found = await scan(root);
        const count = found.filter((d) => !d.rootHub).length;
        if (lastCount !== undefined && count !== lastCount) devicesChanged([], { DeviceCount: count });
        lastCount = count;
        return found;
      },
      { maxAgeMs },
    );
    const hosts = api.helpers.instanceMap(); // key: root hub name (usb1)
    const devices = api.helpers.instanceMap(); // key: device name (1-2)
    /** @param {number} n */
    const hostOf = async (n) => {
      const name = hosts.requireKey(n);
      const hub = (await usb.read()).find((d) => d.name === name);
      if (!hub) throw new Error(`USB host ${name} is gone`);
      return hub;
    };

    // The built-in platforms serve Device.USB. themselves: then only the vendor parts below are added.
    if (api.isBound('Device.USB.USBHosts.Host.{i}.')) api.log.info('Device.USB. is served by the platform; adding the vendor parts only');
    else bindHostTables();

    function bindHostTables() {
      api.bind('Device.USB.USBHosts.Host.{i}.', {
        params: ['Enable', 'Name', 'Type', 'USBVersion'],
        list: async () => hosts.list((await usb.read()).filter((d) => d.rootHub).map((d) => d.name)),
        get: async ([h]) => {
          const hub = await hostOf(h);
          return { Enable: true, Name: hub.name, Type: hostType(hub.attrs.product), USBVersion: hub.attrs.version ?? '' };
        },
      });

      api.bind('Device.USB.USBHosts.Host.{i}.Device.{i}.', {
        params: [
          'DeviceNumber',
          'USBVersion',
          'DeviceClass',
          'DeviceSubClass',
          'DeviceVersion',
          'DeviceProtocol',
          'ProductID',
          'VendorID',
          'Manufacturer',
          'ProductClass',
          'SerialNumber',
          'Port',
          'Rate',
          'Parent',
          'MaxChildren',
          'IsSuspended',
          'IsSelfPowered',
        ],
        list: async ([h]) => {
          const hub = await hostOf(h);
          return devices.list((await usb.read()).filter((d) => !d.rootHub && d.attrs.busnum === hub.attrs.busnum).map((d) => d.name));
        },
        get: async ([h, n]) => {
          const name = devices.requireKey(n);
          const d = (await usb.read()).find((x) => x.name === name);
          if (!d) throw new Error(`USB device ${name} is gone`);
          // 1-2.3 hangs off 1-2; 1-2 off the root hub (Parent is then empty).
          const parentName = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
          const parent = parentName === undefined ? undefined : devices.peek(parentName);
          return {
            DeviceNumber: int(d.attrs.devnum),
            USBVersion: d.attrs.version ?? '',
            DeviceClass: d.attrs.bDeviceClass ?? '',
            DeviceSubClass: d.attrs.bDeviceSubClass ?? '',
            DeviceVersion: hex(d.attrs.bcdDevice),
            DeviceProtocol: d.attrs.bDeviceProtocol ?? '',
            ProductID: hex(d.attrs.idProduct),
            VendorID: hex(d.attrs.idVendor),
            Manufacturer: d.attrs.manufacturer ?? '',
            ProductClass: d.attrs.product ?? '',
            SerialNumber: d.attrs.serial ?? '',
            Port: int((d.attrs.devpath ?? '').split('.').pop()),
            Rate: rate(d.attrs.speed),
            Parent: parent === undefined ? '' : `Device.USB.USBHosts.Host.${h}.Device.${parent}`,
            MaxChildren: int(d.attrs.maxchild),
            IsSuspended: d.attrs['power/runtime_status'] === 'suspended',
            IsSelfPowered: (hex(d.attrs.bmAttributes) & 0x40) !== 0,
          };
        },
      });
    }

    // A vendor parameter on an object the platform serves: only this parameter is read from the plugin.
    api.addVendorParams('Device.DeviceInfo.', [{ name: `${prefix}USBDeviceCount`, type: 'unsignedInt' }], {
      get: async () => ({ [`${prefix}USBDeviceCount`]: (await usb.read()).filter((d) => !d.rootHub).length }),
    });

    // A vendor command: scan again now instead of waiting out the cache.
    api.addVendorCommand(
      'Device.USB.USBHosts.',
      { name: `${prefix}Rescan()`, output: [{ name: 'DeviceCount', type: 'unsignedInt' }] },
      {
        run: async () => {
          usb.invalidate();
          return { DeviceCount: (await usb.read()).filter((d) => !d.rootHub).length };
        },
      },
    );
    api.log.info('USB from sysfs', { root });
  },
};
