/**
 * The UCI side of an Ethernet port on OpenWrt (Device.Ethernet.Interface.{i}. Enable, MaxBitRate,
 * DuplexMode): pure functions over a parsed `uci -X show network`, no I/O.
 *
 * netifd configures a port from a `config device` section whose `name` is the port's netdev and
 * which has no `type` (a typed one creates a bridge or VLAN of that name instead: config.c
 * config_init_devices, device.c dev_attrs):
 *
 * - `enabled` (bool, netifd since 2012): '0' makes netifd treat the device as absent
 *   (device_refresh_present): it leaves the port down and out of its argument-less device dump.
 * - `speed` (Mbit/s) and `duplex` (bool, 1 full) since netifd 1eb0faf (2021-08-02, first in
 *   OpenWrt 22.03); `autoneg` (bool) since netifd f429bd9 (2023-03-25, first in OpenWrt 23.05).
 *   With `autoneg '0'` netifd forces `speed` and `duplex` (ETHTOOL_SLINKSETTINGS); with
 *   `autoneg '1'` and neither of the other two it advertises every supported mode. Without
 *   `autoneg` (and on 22.03, which does not know it) `speed`/`duplex` only narrow what is
 *   advertised. netifd applies only the options a section has, so going back to
 *   autonegotiation must say `autoneg '1'`: deleting the other options alone changes nothing.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { AUTOMATIC, type LinkChoice, type LinkSettings } from '../ethernet-link-settings.js';
import type { UciChange } from './uci.js';
import { stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

/** The agent's own sections for ports that had none: `usp_port_<netdev>` (UCI names hold [A-Za-z0-9_] only). */
const SECTION_PREFIX = 'usp_port_';

/** The `config device` section netifd configures port `name` from, if any (the first, as LuCI edits it). */
export function portSection(config: UciConfig, name: string): UciSection | undefined {
  return config.find((s) => s.type === 'device' && stringOption(s.options.name) === name && s.options.type === undefined);
}

/** Whether the port's section leaves it enabled (netifd's default: yes). */
export function portEnabled(s: UciSection | undefined): boolean {
  return uciBool(s?.options.enabled, true);
}

/** Names of the ports a section disables (`enabled '0'`), which netifd then leaves out of its device dump. */
export function disabledPortNames(config: UciConfig): string[] {
  return config.filter((s) => s.type === 'device' && s.options.type === undefined && !portEnabled(s)).flatMap((s) => stringOption(s.options.name) ?? []);
}

/** netifd "1000F" → 1000 Mbit/s, Full duplex; undefined while the link speed is unknown. */
export function parseSpeed(speed: string | undefined): { mbps: number; duplex: 'Full' | 'Half' } | undefined {
  const m = /^(\d+)([FH])$/.exec(speed ?? '');
  return m ? { mbps: Number(m[1]), duplex: m[2] === 'F' ? 'Full' : 'Half' } : undefined;
}

/**
 * MaxBitRate and DuplexMode of a port: what its section configures, else what the PHY runs as
 * netifd reports it (`autoneg` false: the forced `speed`), else automatic.
 */
export function portLinkSettings(s: UciSection | undefined, status: { autoneg?: boolean; speed?: string } | undefined): LinkSettings {
  const o = s?.options ?? {};
  const running = parseSpeed(status?.speed);
  const speed = Number(stringOption(o.speed));
  const mbps = Number.isInteger(speed) && speed > 0 ? speed : undefined;
  const duplex = o.duplex === undefined ? undefined : uciBool(o.duplex, true) ? 'Full' : 'Half';
  if (o.autoneg !== undefined && !uciBool(o.autoneg, true)) {
    return { MaxBitRate: mbps ?? running?.mbps ?? -1, DuplexMode: duplex ?? running?.duplex ?? 'Auto' };
  }
  if (o.autoneg !== undefined || mbps !== undefined || duplex !== undefined) return { MaxBitRate: mbps ?? -1, DuplexMode: duplex ?? 'Auto' };
  if (status?.autoneg === false && running) return { MaxBitRate: running.mbps, DuplexMode: running.duplex };
  return { ...AUTOMATIC };
}

/** The link modes of netifd's `link-supported` ("100baseT-H") as speed and duplex. */
export function supportedModes(modes: readonly string[] | undefined): Array<{ mbps: number; duplex: 'Full' | 'Half' }> {
  return (modes ?? []).flatMap((m) => {
    const r = /^(\d+)base[^-]*-([FH])$/.exec(m);
    return r ? [{ mbps: Number(r[1]), duplex: r[2] === 'F' ? ('Full' as const) : ('Half' as const) }] : [];
  });
}

/** Why port `name` cannot run `choice` (its `link-supported` lists no such mode), or undefined. */
export function unsupportedChoice(name: string, choice: LinkChoice, modes: readonly string[] | undefined): string | undefined {
  if (choice.auto) return undefined;
  const known = supportedModes(modes);
  if (known.length === 0) return `netifd reports no link modes for ${name} (its driver has no ethtool link settings): only MaxBitRate -1 with DuplexMode Auto`;
  const fastest = Math.max(...known.map((k) => k.mbps));
  if (choice.mbps > fastest) return `${name} supports at most ${fastest} Mbit/s (${(modes ?? []).join(' ')})`;
  if (!known.some((k) => k.mbps === choice.mbps && k.duplex === choice.duplex)) {
    return `${name} has no ${choice.mbps} Mbit/s ${choice.duplex.toLowerCase()} duplex mode (${(modes ?? []).join(' ')})`;
  }
  return undefined;
}

/** The name of a new section for port `name`, one no section of `config` has. */
export function newPortSection(config: UciConfig, name: string): string {
  const base = SECTION_PREFIX + name.replace(/[^A-Za-z0-9_]/g, '_');
  const taken = new Set(config.map((s) => s.name));
  let section = base;
  for (let n = 2; taken.has(section); n++) section = `${base}_${n}`;
  return section;
}

/**
 * The options of section `section` (holding `s`'s options now, none if new) that make the port
 * `enable` and run `choice`; undefined for a setting the Set leaves as it is. Nothing for what
 * the section already says.
 */
export function portChanges(section: string, s: UciSection | undefined, enable: boolean | undefined, choice: LinkChoice | undefined): UciChange[] {
  const o = s?.options ?? {};
  const out: UciChange[] = [];
  const put = (option: string, value: string): void => {
    if (stringOption(o[option]) !== value) out.push({ section, option, value });
  };
  // `uci delete` of an option the section lacks fails ("Entry not found"): only present ones.
  const drop = (option: string): void => {
    if (o[option] !== undefined) out.push({ section, option, value: '', remove: true });
  };
  if (enable === false) put('enabled', '0');
  else if (enable === true && !portEnabled(s)) drop('enabled');
  if (choice?.auto) {
    put('autoneg', '1');
    drop('speed');
    drop('duplex');
  } else if (choice) {
    put('autoneg', '0');
    put('speed', String(choice.mbps));
    put('duplex', choice.duplex === 'Full' ? '1' : '0');
  }
  return out;
}

/** The Enable a Set asks for, if any. */
export function wantedEnable(changes: Record<string, Value>): boolean | undefined {
  return changes.Enable === undefined ? undefined : changes.Enable === true;
}
