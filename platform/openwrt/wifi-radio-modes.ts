/**
 * Device.WiFi.Radio.{i}.OperatingStandards and RegulatoryDomain on OpenWrt, as the UCI
 * wifi-device options behind them. Pure functions; wifi-radio.ts reads and writes with them.
 *
 * OperatingStandards: OpenWrt has no per-standard switch. The band fixes the legacy standards
 * (hostapd hw_mode g on 2.4 GHz: b and g; hw_mode a on 5 and 6 GHz) and `htmode` picks one
 * generation, which switches on every generation below it (hostapd ieee80211n for HT, plus
 * ieee80211ac for VHT, plus ieee80211ax for HE, plus ieee80211be for EHT; NOHT runs legacy
 * only). So the operating standards are the radio's supported standards up to the htmode's
 * generation, and a Set must name exactly such a list.
 *
 * RegulatoryDomain: UCI `country` (the two letters hostapd writes as country_code and the kernel
 * regulatory domain follows) and `country3` (hostapd's third octet of the 802.11d country string:
 * "I" indoor, "O" outdoor; absent means " ", all environments).
 */
import type { UciChange } from './uci.js';

/** The htmode generation prefixes, lowest first, with the standard each adds and its widest channel (MHz). */
const GENERATIONS: ReadonlyArray<{ prefix: string; adds: string; maxMhz: number }> = [
  { prefix: 'NOHT', adds: '', maxMhz: 20 },
  { prefix: 'HT', adds: 'n', maxMhz: 40 },
  { prefix: 'VHT', adds: 'ac', maxMhz: 160 },
  { prefix: 'HE', adds: 'ax', maxMhz: 160 },
  { prefix: 'EHT', adds: 'be', maxMhz: 320 },
];

const ORDER = ['a', 'b', 'g', 'n', 'ac', 'ax', 'be'];

/** The legacy (non-HT) standards a band always runs. */
function legacyOf(band: string | undefined): string[] {
  if (band === '2.4GHz') return ['b', 'g'];
  return band === '5GHz' || band === '6GHz' ? ['a'] : [];
}

/** The generation prefix of an htmode ("HE80" → "HE", "HT40+" → "HT"). */
export function htmodeGeneration(htmode: unknown): string | undefined {
  return /^(NOHT|EHT|VHT|HE|HT)/.exec(String(htmode ?? ''))?.[1];
}

/** The channel width (MHz) of an htmode: "HT40+" → 40, "NOHT" → 20. */
function htmodeMhz(htmode: unknown): number | undefined {
  const s = String(htmode ?? '');
  if (s === 'NOHT') return 20;
  const m = /^(?:EHT|VHT|HE|HT)(\d+)/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** Standards up to and including `gen`'s, among those the radio supports, in TR-181 order. */
function standardsUpTo(gen: string, band: string | undefined, supported: readonly string[]): string[] {
  const want = new Set(legacyOf(band));
  for (const g of GENERATIONS) {
    if (g.adds) want.add(g.adds);
    if (g.prefix === gen) break;
  }
  // 802.11ac is a 5 GHz standard: a 2.4 GHz radio in HE or EHT mode runs n and ax (be), no ac.
  if (band === '2.4GHz') want.delete('ac');
  return ORDER.filter((s) => want.has(s) && supported.includes(s));
}

/** OperatingStandards: the supported standards up to the htmode's generation (HT when the htmode says none). */
export function operatingStandards(band: string | undefined, supported: readonly string[], htmode: unknown): string {
  return standardsUpTo(htmodeGeneration(htmode) ?? 'HT', band, supported).join(',');
}

/**
 * The htmode a Set of OperatingStandards asks for, keeping the channel width (`mhz`, that of the
 * Set's OperatingChannelBandwidth when it has one), or why it cannot be: the list must be one
 * generation's full list, that generation must run at the width, and the radio must offer the
 * resulting mode (`modes`: board.json's modes of the band, or iwinfo's htmodes; empty: unknown).
 */
export function standardsHtmode(value: string, band: string | undefined, supported: readonly string[], mhz: number, modes: readonly string[]): string | { htmode: string } {
  const asked = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  const key = (l: readonly string[]): string => [...l].sort().join(',');
  const choices = GENERATIONS.map((g) => ({ g, list: standardsUpTo(g.prefix, band, supported) })).filter((c) => c.g.prefix === 'NOHT' || c.list.includes(c.g.adds));
  const match = choices.find((c) => key(c.list) === key(asked));
  if (!match) {
    const offered = [...new Set(choices.map((c) => c.list.join(',')))].map((l) => `"${l}"`).join(', ');
    return `this radio runs one of ${offered} (OpenWrt's htmode picks a generation and runs every one below it)`;
  }
  if (mhz > match.g.maxMhz) return `${match.list.join(',')} runs at most ${match.g.maxMhz} MHz: set OperatingChannelBandwidth as well`;
  const htmode = match.g.prefix === 'NOHT' ? 'NOHT' : `${match.g.prefix}${mhz}`;
  if (modes.length > 0 && !modes.includes(htmode)) return `this radio does not offer ${htmode} (it offers ${modes.join(', ')})`;
  return { htmode };
}

/** The width of the radio's htmode in MHz (20 when unknown). */
export function currentMhz(htmode: unknown): number {
  return htmodeMhz(htmode) ?? 20;
}

/** RegulatoryDomain from UCI/iwinfo `country` and UCI `country3`: ("DE", "I") → "DEI". */
export function regulatoryDomainOf(country: string | undefined, country3: unknown): string | undefined {
  if (!country || !/^[A-Z]{2}$/.test(country)) return undefined;
  const env = String(country3 ?? '');
  return `${country}${env === 'I' || env === 'O' ? env : ' '}`;
}

/**
 * The UCI changes that set a RegulatoryDomain on wifi-device `section`, or why not: the two
 * letters must be an ISO 3166-1 country (the kernel's regulatory database knows no other; the
 * runtime's region names tell, where it has them). `country3` is deleted for " ".
 */
export function regulatoryDomainChanges(section: string, value: string, country3Set: boolean): UciChange[] | string {
  const m = /^([A-Z]{2})([ IO])$/.exec(value);
  if (!m) return 'must be a two-letter country code and " ", "I" or "O"';
  const country = m[1]!;
  if (!knownCountry(country)) return `${country} is not an ISO 3166-1 country code`;
  const env = m[2]!;
  const out: UciChange[] = [{ section, option: 'country', value: country }];
  if (env !== ' ') out.push({ section, option: 'country3', value: env });
  else if (country3Set) out.push({ section, option: 'country3', value: '', remove: true });
  return out;
}

let regionNames: Intl.DisplayNames | null | undefined;

/** Whether ICU names the region (an unassigned code comes back as itself); without ICU region data, any two letters pass. */
function knownCountry(code: string): boolean {
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    } catch {
      regionNames = null;
    }
  }
  if (regionNames === null) return true;
  // ICU's placeholders and groupings: unknown region, EU, UN, the European zone, outlying Oceania.
  if (['ZZ', 'EU', 'UN', 'EZ', 'QO'].includes(code)) return false;
  const name = regionNames.of(code);
  return name !== undefined && name !== code;
}
