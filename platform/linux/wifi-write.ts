/**
 * Writes of Device.WiFi. on generic Linux through hostapd's control interface, as hostapd_cli
 * sends them (hostapd 2.10): SSID.SSID is `set ssid <v>` then `reload` (the BSS restarts with
 * the new name), SSID.Enable `enable`/`disable` (the whole hostapd interface: one BSS per radio,
 * as hostapd runs them here), Radio.Channel `chan_switch 5 <MHz>` (a channel switch announced
 * five beacons ahead, so stations follow instead of dropping). hostapd answers "OK" or "FAIL" with
 * exit code 0; anything but "OK" fails the Set (7002: the device refused it) and nothing is kept.
 * The change is hostapd's running state only: its configuration file is not rewritten.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';

/** An SSID is 1 to 32 octets (IEEE 802.11 SSID element). */
export function ssidProblem(v: string): string | undefined {
  const n = Buffer.byteLength(v, 'utf8');
  if (n === 0 || n > 32) return 'an SSID is 1 to 32 octets';
  // hostapd_cli takes one argument per word and a control line per command: no line breaks.
  if (/[\r\n\0]/.test(v)) return 'an SSID here cannot hold a line break or NUL';
  return undefined;
}

/** A 7012 for one parameter. */
export function invalid(param: string, message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `${param}: ${message}`, { paramErrors: [{ param, message, code: ErrorCode.InvalidValue }] });
}

export class HostapdWriter {
  constructor(
    private readonly runner: CommandRunner,
    private readonly dir: string,
  ) {}

  /** One control command on BSS `ifname`; anything but OK is a 7002 naming hostapd's answer. */
  async command(ifname: string, args: string[]): Promise<void> {
    const line = ['hostapd_cli', '-i', ifname, ...args].join(' ');
    const r = await this.runner.capture(this.runner.executable('hostapd_cli'), ['-p', this.dir, '-i', ifname, ...args]);
    if (r.exitCode !== 0 || r.stdout.trim() !== 'OK') {
      const why = (r.stdout.trim() || r.stderr.trim() || `exit code ${r.exitCode}`).slice(0, 200);
      throw new UspError(ErrorCode.RequestDenied, `hostapd refused ${line}: ${why}`);
    }
  }

  async setSsid(ifname: string, ssid: string): Promise<void> {
    await this.command(ifname, ['set', 'ssid', ssid]);
    await this.command(ifname, ['reload']);
  }

  async setEnable(ifname: string, on: boolean): Promise<void> {
    await this.command(ifname, [on ? 'enable' : 'disable']);
  }

  async switchChannel(ifname: string, mhz: number): Promise<void> {
    await this.command(ifname, ['chan_switch', '5', String(mhz)]);
  }
}
