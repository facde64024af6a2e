/**
 * `--captive-portal on|off`, `--bridge-filter on|off`, `--qos on|off` and the defaults file's
 * `$captivePortal`, `$bridgeFilter`, `$qos` (platform/service-switches.ts says what each turns
 * off). The command line wins over the file, switch by switch.
 */
import { SERVICE_SWITCHES, type ServiceSwitch, type ServiceSwitches } from '../../platform/service-switches.js';

/** `--<flag>` text: on (also true/1/yes) or off (also false/0/no). */
export function parseServiceSwitch(s: ServiceSwitch, text: string, source = `--${s.flag}`): boolean {
  const t = text.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give on (serve ${s.object} where nft, tc and CAP_NET_ADMIN allow) or off (never serve it, write nothing to nft or tc)`);
}

/** The switches of the command line's `--<flag>` values (as given, unchecked); undefined when none was given. */
export function serviceSwitchesFromArgs(values: { 'captive-portal'?: string; 'bridge-filter'?: string; qos?: string }): ServiceSwitches | undefined {
  const out: ServiceSwitches = {};
  for (const s of SERVICE_SWITCHES) {
    const v = (values as Readonly<Record<string, unknown>>)[s.flag];
    if (typeof v === 'string') out[s.name] = parseServiceSwitch(s, v);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Takes the switches' keys out of a defaults file's entries (they are no TR-181 paths) and
 * checks them: "on"/"off" or a boolean. Undefined when the file sets none.
 */
export function takeServiceSwitches(entries: Record<string, unknown>, file: string): ServiceSwitches | undefined {
  const out: ServiceSwitches = {};
  for (const s of SERVICE_SWITCHES) {
    const v = entries[s.key];
    delete entries[s.key];
    if (v === undefined) continue;
    if (typeof v === 'boolean') out[s.name] = v;
    else if (typeof v === 'string') out[s.name] = parseServiceSwitch(s, v, `factory defaults: ${s.key} (${file})`);
    else throw new Error(`factory defaults: ${s.key} (${file}): must be "on" or "off"`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The file's switches overridden by the command line's, switch by switch. */
export function mergeServiceSwitches(file: ServiceSwitches | undefined, args: ServiceSwitches | undefined): ServiceSwitches | undefined {
  return file || args ? { ...file, ...args } : undefined;
}

/** Which platforms each switch applies to: elsewhere it would silently do nothing, so it is logged. */
const APPLIES_TO: Readonly<Record<keyof ServiceSwitches, readonly string[]>> = { captivePortal: ['linux', 'openwrt'], bridgeFilter: ['linux', 'openwrt'], qos: ['linux', 'openwrt'] };

/** Warns of each switch given for a platform it does not apply to. */
export function warnServiceSwitchesIgnored(switches: ServiceSwitches | undefined, platform: string, log: { warn(msg: string, fields?: Record<string, unknown>): void }): void {
  for (const s of SERVICE_SWITCHES) {
    if (switches?.[s.name] === undefined || APPLIES_TO[s.name].includes(platform)) continue;
    log.warn(`--${s.flag} applies to the ${APPLIES_TO[s.name].join(' and ')} platform${APPLIES_TO[s.name].length > 1 ? 's' : ''} only; ignored`, { platform });
  }
}
