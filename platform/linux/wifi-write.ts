/**
 * Writes of Device.WiFi. on generic Linux through hostapd's control interface, as hostapd_cli
 * sends them (hostapd 2.10): SSID.SSID is `set ssid <v>` then `reload` (the BSS restarts with
 * the new name), SSID.Enable `enable`/`disable` (the whole hostapd interface: one BSS per radio,
 * as hostapd runs them here), Radio.Channel `chan_switch 5 <MHz>` (a channel switch announced
 * five beacons ahead, so stations follow instead of dropping). The AccessPoint's and Radio's
 * other settings are hostapd configuration keys: `set <key> <value>` for each, then one `reload`
 * (`configure`). hostapd answers "OK" or "FAIL" with exit code 0; anything but "OK" fails the
 * Set (7002: the device refused it). Radio.TransmitPower is `iw dev <if> set txpower`.
 *
 * The change is hostapd's running state only: its configuration file is not rewritten, so a
 * restart of hostapd brings back the file's values (wifi-reapply.ts sends the held ones again). A
 * key (`wpa_passphrase`, `wpa_psk`, `sae_password`) never goes on a command line: it is written to
 * hostapd_cli's standard input as `raw SET <key> <value>` (hostapd-cli-stdin.ts), and masked in
 * every log line and error the agent writes.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { cliLineKeeps, interactiveAnswers } from './hostapd-cli-stdin.js';

/** How long hostapd_cli's interactive mode may take to send one key (it does not give up on a missing socket). */
const SECRET_TIMEOUT_MS = 5_000;

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

/** One hostapd configuration key to set; `secret` keeps its value out of logs and errors. */
export interface HostapdSetting {
  key: string;
  value: string;
  secret?: boolean;
  /** The value hostapd holds now, set back when the change fails (keys have none: they are not known). */
  undo?: string;
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

  /**
   * `SET <key> <value>` of a secret on BSS `ifname` through hostapd_cli's standard input
   * (hostapd-cli-stdin.ts), HOME unset so that no history file keeps it; 7012 for a value the
   * way there would change, 7002 when hostapd refuses. The value is in no log line or error.
   */
  async secret(ifname: string, key: string, value: string): Promise<void> {
    if (!cliLineKeeps(key, value)) throw invalid(key, 'hostapd_cli would change this value on its way (spaces at either end or two in a row)');
    const line = `hostapd_cli -p ${this.dir} -i ${ifname} (stdin: raw SET ${key} ***)`;
    // Interactive mode waits for a BSS whose socket is missing (it retries each second): bounded here.
    const r = await this.runner
      .capture(this.runner.executable('hostapd_cli'), ['-p', this.dir, '-i', ifname], { input: `raw SET ${key} ${value}\n`, withoutEnv: ['HOME'], display: line, timeoutMs: SECRET_TIMEOUT_MS })
      .catch(() => {
        throw new UspError(ErrorCode.RequestDenied, `hostapd did not answer ${line} within ${SECRET_TIMEOUT_MS / 1000} s`);
      });
    const answer = interactiveAnswers(r.stdout)[0];
    if (r.exitCode !== 0 || answer !== 'OK') {
      const why = (answer ?? (r.stderr.trim() || `exit code ${r.exitCode}`)).slice(0, 200).split(value).join('***');
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

  /**
   * Sets configuration keys of BSS `ifname` in order, then reloads it once (the BSS restarts: its
   * stations associate again). When hostapd refuses a key or the reload, the keys already set are
   * set back to their `undo` values (no reload: the running BSS never took them), since hostapd's
   * `status` and `get_config` report what it holds, taken or not; then the Set fails (7002).
   */
  async configure(ifname: string, settings: readonly HostapdSetting[]): Promise<void> {
    if (settings.length === 0) return;
    const done: HostapdSetting[] = [];
    try {
      for (const s of settings) {
        if (s.secret) await this.secret(ifname, s.key, s.value);
        else await this.command(ifname, ['set', s.key, s.value]);
        done.push(s);
      }
      await this.command(ifname, ['reload']);
    } catch (e) {
      for (const s of done.reverse()) if (s.undo !== undefined) await this.command(ifname, ['set', s.key, s.undo]).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Sets radio keys of hostapd interface `ifname` (hw_mode, channel, country_code, ht_capab),
   * then restarts the interface (`disable`, `enable`): `reload` restarts the BSSes on the channel
   * they run, the radio's own settings only take at its start. When hostapd refuses a key or
   * the start, the keys set are set back and the interface started again as it was; the Set fails (7002).
   */
  async restartRadio(ifname: string, settings: readonly HostapdSetting[]): Promise<void> {
    if (settings.length === 0) return;
    const done: HostapdSetting[] = [];
    let stopped = false;
    try {
      for (const s of settings) {
        await this.command(ifname, ['set', s.key, s.value]);
        done.push(s);
      }
      await this.command(ifname, ['disable']);
      stopped = true;
      await this.command(ifname, ['enable']);
    } catch (e) {
      for (const s of done.reverse()) if (s.undo !== undefined) await this.command(ifname, ['set', s.key, s.undo]).catch(() => undefined);
      if (stopped) await this.command(ifname, ['enable']).catch(() => undefined);
      throw e;
    }
  }

  /** `iw dev <if> set bitrates [args]` (wifi-bitrates.ts); a failure is a 7002. */
  async setBitrates(ifname: string, args: readonly string[]): Promise<void> {
    await this.iw(['dev', ifname, 'set', 'bitrates', ...args]);
  }

  /** `iw dev <if> set txpower fixed <mBm>`, or `auto` (the regulatory limit); a failure is a 7002. */
  async setTxPower(ifname: string, mBm: number | 'auto'): Promise<void> {
    await this.iw(['dev', ifname, 'set', 'txpower', ...(mBm === 'auto' ? ['auto'] : ['fixed', String(mBm)])]);
  }

  private async iw(args: string[]): Promise<void> {
    const r = await this.runner.capture(this.runner.executable('iw'), args);
    if (r.exitCode !== 0) throw new UspError(ErrorCode.RequestDenied, `iw refused ${['iw', ...args].join(' ')}: ${(r.stderr.trim() || `exit code ${r.exitCode}`).slice(0, 200)}`);
  }
}
