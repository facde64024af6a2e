/**
 * ModemManager values to TR-181 Device.Cellular. values (docs/platform-mapping.md, TR-181 CellularInterface:1,
 * USIM:1, AccessPoint:1). Pure functions, unit-tested on the recorded outputs.
 */
import type { MmcliSignal, MmcliSignalBlock } from './mmcli-types.js';
import { known } from './mmcli-types.js';

/** TR-181 SupportedAccessTechnologies / CurrentAccessTechnology values, oldest first. */
export const ACCESS_TECHNOLOGIES = ['GPRS', 'EDGE', 'UMTS', 'UMTSHSPA', 'CDMA2000OneX', 'CDMA2000HRPD', 'LTE', 'NR'] as const;
export type AccessTechnology = (typeof ACCESS_TECHNOLOGIES)[number];

/** MMModemAccessTechnology nicknames (mm_modem_access_technology_build_string_from_mask). */
const ACCESS_TECH: Readonly<Record<string, AccessTechnology>> = {
  gsm: 'GPRS',
  'gsm-compact': 'GPRS',
  gprs: 'GPRS',
  edge: 'EDGE',
  umts: 'UMTS',
  hsdpa: 'UMTSHSPA',
  hsupa: 'UMTSHSPA',
  hspa: 'UMTSHSPA',
  'hspa-plus': 'UMTSHSPA',
  '1xrtt': 'CDMA2000OneX',
  evdo0: 'CDMA2000HRPD',
  evdoa: 'CDMA2000HRPD',
  evdob: 'CDMA2000HRPD',
  lte: 'LTE',
  'lte-cat-m': 'LTE',
  'lte-nb-iot': 'LTE',
  '5gnr': 'NR',
};

/** MMModemCapability nicknames → the technologies they cover. */
const CAPABILITY: Readonly<Record<string, readonly AccessTechnology[]>> = {
  'gsm-umts': ['GPRS', 'EDGE', 'UMTS', 'UMTSHSPA'],
  'cdma-evdo': ['CDMA2000OneX', 'CDMA2000HRPD'],
  lte: ['LTE'],
  'lte-advanced': ['LTE'],
  '5gnr': ['NR'],
};

/** MMModemMode nicknames in "allowed: ...; preferred: ..." → a technology. */
const MODE: Readonly<Record<string, AccessTechnology>> = { '2g': 'GPRS', '3g': 'UMTS', '4g': 'LTE', '5g': 'NR' };

const rank = (t: AccessTechnology): number => ACCESS_TECHNOLOGIES.indexOf(t);

/** The newest technology in use ("lte" + "5gnr", i.e. NR non-standalone → NR). */
export function currentAccessTechnology(techs: readonly string[] | undefined): AccessTechnology | undefined {
  let best: AccessTechnology | undefined;
  for (const t of splitList(techs)) {
    const tr = ACCESS_TECH[t];
    if (tr && (best === undefined || rank(tr) > rank(best))) best = tr;
  }
  return best;
}

/**
 * Technologies the modem can use, from its current capabilities. mmcli prints the capability
 * mask as one string ("gsm-umts, lte, 5gnr") inside the list, so items are split again.
 */
export function supportedAccessTechnologies(capabilities: readonly string[] | undefined): AccessTechnology[] {
  const set = new Set<AccessTechnology>();
  for (const c of splitList(capabilities)) for (const t of CAPABILITY[c] ?? []) set.add(t);
  return [...set].sort((a, b) => rank(a) - rank(b));
}

/** "allowed: 3g, 4g, 5g; preferred: 5g" → "NR"; no preference → "Auto" (the enumerationRef null value). */
export function preferredAccessTechnology(currentModes: string | undefined): string {
  const m = /preferred:\s*([^;]+)/.exec(currentModes ?? '');
  return MODE[m?.[1]?.trim() ?? ''] ?? 'Auto';
}

/** TR-181 technology → the MMModemMode nickname of its generation, for `--set-preferred-mode`. */
const MODE_OF: Readonly<Record<AccessTechnology, string>> = {
  GPRS: '2g',
  EDGE: '2g',
  CDMA2000OneX: '2g',
  UMTS: '3g',
  UMTSHSPA: '3g',
  CDMA2000HRPD: '3g',
  LTE: '4g',
  NR: '5g',
};

/** The mode nickname a PreferredAccessTechnology asks for; undefined for "Auto" (no preference) or an unknown value. */
export function preferredMode(tech: string): string | undefined {
  return (MODE_OF as Readonly<Record<string, string>>)[tech];
}

/** "allowed: 3g, 4g, 5g; preferred: 5g" → ["3g", "4g", "5g"]. */
export function allowedModes(currentModes: string | undefined): string[] {
  const m = /allowed:\s*([^;]+)/.exec(currentModes ?? '');
  return (m?.[1] ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '' && x !== 'none' && x !== '--');
}

/**
 * MMModemState → TR-181 Status. Registered and beyond is Up (docs/platform-mapping.md); enabled but not
 * (yet) registered, or SIM-locked, is Dormant: waiting for the network or a PIN.
 */
export function interfaceStatus(state: string | undefined): string {
  switch (known(state)) {
    case 'connected':
    case 'registered':
    case 'connecting':
    case 'disconnecting':
      return 'Up';
    case 'enabled':
    case 'searching':
    case 'enabling':
    case 'locked':
    case 'initializing':
      return 'Dormant';
    case 'disabled':
    case 'disabling':
      return 'Down';
    case 'failed':
      return 'Error';
    default:
      return 'Unknown';
  }
}

/** Cellular.RoamingStatus from the 3GPP registration state ("home-sms-only" is home too). */
export function roamingStatus(registration: string | undefined): string | undefined {
  const r = known(registration);
  return r?.startsWith('home') ? 'Home' : r?.startsWith('roaming') ? 'Roaming' : undefined;
}

/**
 * USIM.Status from the modem's unlock-required. PIN2/PUK2 only guard fixed dialling and leave
 * the card usable; a PIN or PUK lock stops it.
 */
export function usimStatus(simPath: string | undefined, unlockRequired: string | undefined): string {
  if (!known(simPath)) return 'None';
  switch (known(unlockRequired)) {
    case 'sim-pin':
      return 'Available';
    case 'sim-puk':
      return 'Blocked';
    default:
      return 'Valid';
  }
}

/** MMBearerIpFamily → AccessPoint.IPVersion (4, 6, or -1: no specific version). */
export function ipVersion(ipType: string | undefined): number {
  const t = known(ipType);
  return t === 'ipv4' ? 4 : t === 'ipv6' ? 6 : -1;
}

/** TR-181 int maximum: "Set to {{maxval}}" when RSRP/RSRQ are not available. */
export const INT_MAX = 2147483647;

/** Radio measurements as TR-181 reports them (dBm; RSRQ and SINR really in dB). */
export interface RadioValues {
  RSSI: number;
  RSRP: number;
  RSRQ: number;
  SINR: number;
}

/** mmcli blocks to read per technology, best first. */
const SIGNAL_BLOCKS: Readonly<Record<AccessTechnology, ReadonlyArray<keyof NonNullable<NonNullable<MmcliSignal['modem']>['signal']>>>> = {
  NR: ['5g', 'lte'],
  LTE: ['lte'],
  UMTS: ['umts'],
  UMTSHSPA: ['umts'],
  GPRS: ['gsm'],
  EDGE: ['gsm'],
  CDMA2000OneX: ['cdma1x'],
  CDMA2000HRPD: ['evdo', 'cdma1x'],
};

/** TR-181 RSSI floor ("an undetectable signal is indicated by the appropriate lower limit"). */
const RSSI_FLOOR: Readonly<Record<AccessTechnology, number>> = {
  GPRS: -111,
  EDGE: -111,
  UMTS: -117,
  UMTSHSPA: -117,
  CDMA2000OneX: -117,
  CDMA2000HRPD: -117,
  LTE: -117,
  NR: -117,
};

/**
 * RSSI/RSRP/RSRQ/SINR from `--signal-get`. With NR in use (non-standalone reports both NR and
 * the LTE anchor) each value is taken from the 5g block, or from the lte block when the 5g block
 * lacks it: mmcli has no 5g RSSI at all. mmcli prints decimals ("-100.00"): rounded to the
 * nearest integer, halves away from zero. Unknown RSRP/RSRQ/SINR are {{maxval}} as TR-181 asks;
 * an unknown RSSI is the technology's floor, TR-181's value for "undetectable".
 */
export function radioValues(signal: MmcliSignal | undefined, tech: AccessTechnology | undefined): RadioValues {
  const blocks = (SIGNAL_BLOCKS[tech ?? 'LTE'] ?? []).map((b) => signal?.modem?.signal?.[b]).filter((b): b is MmcliSignalBlock => b !== undefined);
  const pick = (field: keyof MmcliSignalBlock): number | undefined => {
    for (const b of blocks) {
      const v = dBm(b[field]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return {
    RSSI: pick('rssi') ?? RSSI_FLOOR[tech ?? 'LTE'],
    RSRP: pick('rsrp') ?? INT_MAX,
    RSRQ: pick('rsrq') ?? INT_MAX,
    SINR: pick('snr') ?? pick('sinr') ?? INT_MAX,
  };
}

/** "-100.00" → -100, "17.50" → 18, "-9.5" → -10; "--" → undefined. */
export function dBm(s: string | undefined): number | undefined {
  const v = known(s);
  if (v === undefined) return undefined;
  const n = Number.parseFloat(v);
  if (!Number.isFinite(n)) return undefined;
  const r = Math.sign(n) * Math.round(Math.abs(n));
  return r === 0 ? 0 : r; // no -0
}

/** The network port of a modem ("wwan0 (net)" in `ports`). */
export function netPort(ports: readonly string[] | undefined): string | undefined {
  for (const p of ports ?? []) {
    const m = /^(\S+)\s+\(net\)$/.exec(p.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** List items, with mmcli's "a, b, c" items split too. */
function splitList(items: readonly string[] | undefined): string[] {
  return (items ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '--');
}
