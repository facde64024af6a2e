/**
 * The simulated gateway's Device.DeviceInfo.VendorLogFile.1: its syslog, as a router's logd ring
 * buffer would hold it. A fleet's gateways share the one source and the one text, made the
 * first time a log is uploaded: an idle gateway holds nothing for it.
 */
import type { VendorLogSource } from '../vendor-log-file.js';

/** The simulated ring buffer's size (the 64 KiB an OpenWrt logd keeps by default). */
const RING_BYTES = 64 * 1024;

const BOOT_LINES = [
  'kern.notice kernel: [    0.000000] Linux version 5.15.150 (builder@buildhost) #0 SMP',
  'kern.info kernel: [    1.204311] simulated-5g: modem firmware loaded',
  'daemon.notice netifd: Interface lan is now up',
  'daemon.notice netifd: Network device eth0 link is up',
  'daemon.info dnsmasq[1342]: started, version 2.90 cachesize 1000',
  'daemon.info dnsmasq-dhcp[1342]: DHCP, IP range 192.168.1.100 -- 192.168.1.249, lease time 12h',
  'daemon.notice ModemManager[911]: <info>  [modem0] state changed (registered -> connecting)',
  'daemon.notice ModemManager[911]: <info>  [modem0] state changed (connecting -> connected)',
  'daemon.notice netifd: Interface wwan is now up',
  'daemon.info usp-agent: agent started',
];

let text: Buffer | undefined;

/** The shared log text, built once (syslog timestamps from a fixed boot). */
function simulatedSyslog(): Buffer {
  if (!text) {
    const boot = Date.UTC(2026, 0, 1, 0, 0, 0);
    const lines = BOOT_LINES.map((l, i) => `${new Date(boot + i * 1000).toUTCString().slice(0, 25)} ${l}`);
    text = Buffer.from(`${lines.join('\n')}\n`);
  }
  return text;
}

class SimulatedSyslog implements VendorLogSource {
  readonly name = 'syslog';

  maximumSize(): Promise<number> {
    return Promise.resolve(RING_BYTES);
  }

  /** A RAM ring buffer, as logd keeps it: gone after a reboot. */
  persistent(): Promise<boolean> {
    return Promise.resolve(false);
  }

  read(): Promise<Buffer> {
    return Promise.resolve(simulatedSyslog());
  }
}

/** The one source every simulated gateway serves. */
export const SIMULATED_VENDOR_LOGS: readonly VendorLogSource[] = [new SimulatedSyslog()];
