/**
 * Device.WiFi.Radio.{i}.RegulatoryDomain (TR-181 WiFiRadio:1, the 802.11d country string: an ISO
 * 3166-1 alpha-2 code, then " ", "I" (indoor) or "O" (outdoor)) on the simulated gateway: the
 * domain decides the radio's PossibleChannels. The simulated firmware knows three channel plans:
 * the EU/CEPT one (the factory "DE " and the other European countries), the FCC one (US, CA) and
 * Japan's; any other country is refused, as a driver without its rules would.
 *
 * IEEE80211hEnabled (802.11h: DFS and TPC) decides whether the 5 GHz DFS channels may be used:
 * 52-64 and 100-144 in all three plans need radar detection, so without 802.11h the radio keeps
 * to 36-48 (and 149-165 in the FCC plan), as hostapd refuses a DFS channel with ieee80211h=0.
 */
import type { RadioDef } from './wifi-radio.js';

const range = (from: number, to: number, step: number): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/** Countries whose rules follow the EU/CEPT plan (EU and EFTA members, the UK). */
const CEPT = new Set('AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK'.split(' '));
const FCC = new Set(['US', 'CA']);

const PLANS: Readonly<Record<'CEPT' | 'FCC' | 'JP', Readonly<Record<RadioDef['band'], readonly number[]>>>> = {
  CEPT: { '2.4GHz': range(1, 13, 1), '5GHz': [...range(36, 64, 4), ...range(100, 140, 4)], '6GHz': range(1, 93, 4) },
  FCC: { '2.4GHz': range(1, 11, 1), '5GHz': [...range(36, 64, 4), ...range(100, 144, 4), ...range(149, 165, 4)], '6GHz': range(1, 233, 4) },
  JP: { '2.4GHz': range(1, 13, 1), '5GHz': [...range(36, 64, 4), ...range(100, 144, 4)], '6GHz': range(1, 93, 4) },
};

/** The channel plan of a RegulatoryDomain value, or undefined for one this firmware has no rules for. */
function planOf(domain: string): (typeof PLANS)[keyof typeof PLANS] | undefined {
  const m = /^([A-Z]{2})[ IO]$/.exec(domain);
  if (!m) return undefined;
  if (CEPT.has(m[1])) return PLANS.CEPT;
  if (FCC.has(m[1])) return PLANS.FCC;
  return m[1] === 'JP' ? PLANS.JP : undefined;
}

/** Whether the firmware can run under `domain`. */
export function knownDomain(domain: string): boolean {
  return planOf(domain) !== undefined;
}

/** The radio as the domain allows it: its channels are the domain's for its band (the factory plan for an unknown domain). */
export function underDomain(def: RadioDef, domain: string): RadioDef {
  const plan = planOf(domain);
  if (!plan) return def;
  // US/CA channels 149-165 bond from 149 (UNII-3), not from the 100 block below them.
  const bondingBases = plan === PLANS.FCC && def.band === '5GHz' ? [...def.bondingBases, 149] : def.bondingBases;
  return { ...def, channels: plan[def.band], bondingBases };
}

/** 5 GHz channels that need radar detection (DFS) in the EU/CEPT, FCC and Japanese plans. */
export function isDfsChannel(band: RadioDef['band'], channel: number): boolean {
  return band === '5GHz' && ((channel >= 52 && channel <= 64) || (channel >= 100 && channel <= 144));
}

/** The radio as the domain and its 802.11h setting allow it: without 802.11h, no DFS channel. */
export function underRules(def: RadioDef, domain: string, ieee80211h: boolean): RadioDef {
  const allowed = underDomain(def, domain);
  if (ieee80211h || !def.dfs) return allowed;
  return { ...allowed, channels: allowed.channels.filter((c) => !isDfsChannel(def.band, c)) };
}
