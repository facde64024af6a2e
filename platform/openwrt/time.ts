/**
 * Device.Time. on OpenWrt (TR-181 Time:2): the `system` UCI config, as OpenWrt's
 * config_generate writes it and LuCI edits it.
 *
 * | TR-181 (Device.Time.) | OpenWrt                                                                 |
 * |-----------------------|-------------------------------------------------------------------------|
 * | Enable                | `system.ntp.enabled` (sysntpd starts no ntpd, client nor server, when 0; default 1) |
 * | Status                | Disabled when not enabled; else the last event busybox ntpd reported through the package's hotplug script (NTP_STATE_FILE): Synchronized after `step`/`stratum`/`periodic` at a stratum below 16, Unsynchronized before any and after `unsync` |
 * | CurrentLocalTime      | the clock (dateTime values are canonical UTC in this agent; the zone is LocalTimeZone) |
 * | LocalTimeZone         | the first `config system` section's `timezone`: OpenWrt keeps a POSIX TZ string there (/etc/init.d/system writes it to /tmp/TZ) |
 *
 * Writes: `uci set system.ntp.enabled`, or `timezone` with `zonename` deleted (/etc/init.d/system
 * links /tmp/localtime to the zoneinfo of `zonename` when that file exists, which would hide
 * the new `timezone`), `uci commit system`, then the config.change event for `system` that
 * `reload_config` sends: procd reloads `system` (the time zone) and sysntpd (its reload
 * trigger on `system`), which starts or stops ntpd.
 *
 * Not served: the NTP servers (`system.ntp.server`) and `enable_server` (ntpd -l) belong to
 * Time.Client.{i}/Time.Server.{i}, which Time:2 does not require.
 */
import fs from 'node:fs/promises';
import type { ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { isPosixTz, posixTzProblem } from '../posix-tz.js';
import { dateTime } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type UciChange, type UciWriter } from './uci.js';
import { stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

/**
 * Where the package's hotplug script (/etc/hotplug.d/ntp/25-usp-agent) keeps busybox ntpd's last
 * event: "<ACTION> <stratum>". ntpd runs /usr/sbin/ntpd-hotplug (its -S script) on `step`,
 * `stratum`, `unsync` and `periodic`, and that hands each to the ntp hotplug scripts with
 * ACTION and `stratum` in the environment. /var/run is a tmpfs: no state survives a reboot.
 */
export const NTP_STATE_FILE = '/var/run/usp-agent-ntp';

/** `ubus call service event {"type":"config.change","data":{"package":"system"}}`: what `reload_config` runs after `uci commit system`. */
export const SYSTEM_RELOAD = ['ubus', 'call', 'service', 'event', JSON.stringify({ type: 'config.change', data: { package: 'system' } })] as const;

/** NTP's stratum 16: unsynchronized (RFC 5905 §7.3). */
const UNSYNCHRONIZED_STRATUM = 16;

const TIME_PARAMS = ['Enable', 'Status', 'CurrentLocalTime', 'LocalTimeZone'] as const;

/** Busybox ntpd's last event as the hotplug script wrote it; undefined when there is none. */
export function ntpSynchronized(state: string | undefined): boolean {
  const [action, stratum] = (state ?? '').trim().split(/\s+/);
  if (action === undefined || action === 'unsync') return false;
  if (!['step', 'stratum', 'periodic'].includes(action)) return false;
  const s = Number(stratum);
  return Number.isInteger(s) && s > 0 && s < UNSYNCHRONIZED_STRATUM;
}

/** The first `config system` section (config_generate makes one, anonymous). */
function systemSection(config: UciConfig): UciSection | undefined {
  return config.find((s) => s.type === 'system');
}

/** The `ntp` timeserver section sysntpd reads. */
function ntpSection(config: UciConfig): UciSection | undefined {
  return config.find((s) => s.name === 'ntp' && s.type === 'timeserver');
}

/** Serves Device.Time. from `uci -q -X show system` and the NTP state file. */
export function registerTime(ctx: OpenWrtContext, uci: UciWriter, stateFile = NTP_STATE_FILE): void {
  const read = async (): Promise<Record<string, Value>> => {
    const config = await ctx.uci('system');
    // sysntpd validates `enabled` as bool with default 1; without the section it starts nothing.
    const ntp = ntpSection(config);
    const enabled = ntp !== undefined && uciBool(ntp.options.enabled, true);
    const state = enabled ? await fs.readFile(stateFile, 'utf8').catch(() => undefined) : undefined;
    return {
      Enable: enabled,
      Status: !enabled ? 'Disabled' : ntpSynchronized(state) ? 'Synchronized' : 'Unsynchronized',
      CurrentLocalTime: dateTime(ctx.now()),
      // /etc/init.d/system validates `timezone` with default UTC.
      LocalTimeZone: stringOption(systemSection(config)?.options.timezone) ?? 'UTC',
    };
  };
  const binding: ObjectBinding = {
    params: TIME_PARAMS,
    get: read,
    set: async (_keys, changes) => {
      const current = await read();
      const changed = Object.fromEntries(Object.entries(changes).filter(([p, v]) => v !== current[p]));
      if (Object.keys(changed).length === 0) return;
      const config = await ctx.uci('system');
      const system = systemSection(config);
      const plan = planWrite(current, changed, {
        Enable: (v) => [{ section: 'ntp', option: 'enabled', value: v ? '1' : '0' }],
        LocalTimeZone: (v): UciChange[] | string => {
          const tz = String(v);
          if (!isPosixTz(tz)) return posixTzProblem(tz);
          if (!system) return 'no `config system` section in /etc/config/system';
          const zonename = system.options.zonename === undefined ? [] : [{ section: system.name, option: 'zonename', value: '', remove: true }];
          return [{ section: system.name, option: 'timezone', value: tz }, ...zonename];
        },
      });
      // A new ntpd (or none) starts from no sync: the last one's event no longer applies.
      if (changed.Enable !== undefined) await fs.rm(stateFile, { force: true });
      await uci
        .transact(
          'system',
          async (stage) => {
            // config_generate always writes it; one removed by hand comes back.
            if (changed.Enable !== undefined && !ntpSection(config)) await stage.create('ntp', 'timeserver');
            for (const c of plan) await stage.set(c);
          },
          SYSTEM_RELOAD,
        )
        .finally(() => ctx.forgetUci('system'));
    },
  };
  ctx.model.register('Device.Time.', binding);
}
