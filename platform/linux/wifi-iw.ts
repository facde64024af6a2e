/**
 * Parsers of `iw` (nl80211's command-line tool, iw 5.x/6.x text output) for Device.WiFi.Radio.{i},
 * SSID.{i} and AccessPoint.{i}.AssociatedDevice.{i} on generic Linux. `iw` has no JSON mode,
 * so each parser reads the lines it knows by their leading keyword and ignores every other line
 * (newer iw versions add lines; a parser that failed on them would blank a whole table). Pure
 * functions, no I/O.
 */
import { frequencyBand } from '../wifi-bands.js';
import { parseApLimits } from './wifi-iw-combinations.js';

/** One interface of `iw dev` (or `iw dev <if> info`). */
export interface IwInterface {
  ifname: string;
  /** "phy0" */
  phy: string;
  /** nl80211 iftype: "AP", "managed", "monitor", ... */
  type?: string;
  addr?: string;
  ssid?: string;
  channel?: number;
  /** MHz of the primary channel. */
  freq?: number;
  /** Channel width in MHz ("width: 80 MHz"); undefined for "20 MHz (no HT)" as 20. */
  widthMHz?: number;
  /** MHz of the centre of the whole channel (center1). */
  center1?: number;
  txpowerDbm?: number;
}

const INTERFACE_KEYS: Array<[RegExp, (f: IwInterface, m: RegExpExecArray) => void]> = [
  [/^type (\S+)/, (f, m) => (f.type = m[1])],
  [/^addr ([0-9a-f:]{17})/i, (f, m) => (f.addr = m[1]!.toLowerCase())],
  [/^ssid (.*)$/, (f, m) => (f.ssid = m[1])],
  [/^wiphy (\d+)/, (f, m) => (f.phy = `phy${m[1]}`)],
  [/^txpower (-?[\d.]+) dBm/, (f, m) => (f.txpowerDbm = Number(m[1]))],
  [
    /^channel (\d+) \((\d+) MHz\)(?:, width: (\d+) MHz)?(?:.*center1: (\d+) MHz)?/,
    (f, m) => {
      f.channel = Number(m[1]);
      f.freq = Number(m[2]);
      f.widthMHz = m[3] === undefined ? 20 : Number(m[3]);
      if (m[4] !== undefined) f.center1 = Number(m[4]);
    },
  ],
];

/** `iw dev` (every phy's interfaces under "phy#N") or `iw dev <if> info` (one, with "wiphy N"). */
export function parseIwDev(text: string): IwInterface[] {
  const out: IwInterface[] = [];
  let phy = '';
  let cur: IwInterface | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const p = /^phy#(\d+)$/.exec(line);
    if (p) {
      phy = `phy${p[1]}`;
      cur = undefined;
      continue;
    }
    const i = /^Interface (\S+)$/.exec(line);
    if (i) {
      out.push((cur = { ifname: i[1]!, phy }));
      continue;
    }
    if (!cur) continue;
    for (const [re, apply] of INTERFACE_KEYS) {
      const m = re.exec(line);
      if (m) {
        apply(cur, m);
        break;
      }
    }
  }
  return out;
}

/** What `iw phy <phy> info` says one band of a phy can do. */
export interface IwBand {
  /** OperatingFrequencyBand of its frequencies ("2.4GHz", "5GHz", "6GHz"); undefined for 60 GHz or sub-GHz. */
  band?: string;
  ht: boolean;
  vht: boolean;
  /** HE (802.11ax) for the AP interface type. */
  he: boolean;
  /** EHT (802.11be) for the AP interface type. */
  eht: boolean;
  /** HT40 in the HT capabilities. */
  ht40: boolean;
  /** VHT 160 MHz (or 80+80) in the VHT capabilities. */
  vht160: boolean;
  /** Highest "Maximum TX power"/"(20.0 dBm)" of its enabled frequencies. */
  maxTxPowerDbm?: number;
}

/** One phy of `iw phy` / `iw phy <phy> info`. */
export interface IwPhy {
  phy: string;
  bands: IwBand[];
  /** Available antenna bitmaps ("Available Antennas: TX 0x3 RX 0x3"); 0 where the driver does not say. */
  antennaTx: number;
  antennaRx: number;
  /** "Device supports AP-side u-APSD." */
  apUapsd: boolean;
  /** How many BSSes it runs together, from its valid interface combinations (wifi-iw-combinations.ts); 1 when it states none. */
  apLimit?: number;
}

/** `iw phy` (all phys) or `iw phy <phy> info` (one). */
export function parseIwPhy(text: string): IwPhy[] {
  const limits = parseApLimits(text);
  const out: IwPhy[] = [];
  let phy: IwPhy | undefined;
  let band: IwBand | undefined;
  let iftypes = '';
  let inFreqs = false;
  for (const raw of text.split('\n')) {
    const depth = /^\t*/.exec(raw)![0].length;
    const line = raw.trim();
    const w = /^Wiphy (\S+)$/.exec(line);
    if (w) {
      out.push((phy = { phy: w[1]!, bands: [], antennaTx: 0, antennaRx: 0, apUapsd: false, apLimit: limits.get(w[1]!) ?? 1 }));
      band = undefined;
      continue;
    }
    if (!phy) continue;
    if (depth <= 1) {
      band = undefined;
      inFreqs = false;
      const b = /^Band \d+:$/.exec(line);
      if (b) phy.bands.push((band = { ht: false, vht: false, he: false, eht: false, ht40: false, vht160: false }));
      const a = /^Available Antennas: TX (\S+) RX (\S+)/.exec(line);
      if (a) [phy.antennaTx, phy.antennaRx] = [Number(a[1]), Number(a[2])];
      if (line === 'Device supports AP-side u-APSD.') phy.apUapsd = true;
      continue;
    }
    if (!band) continue;
    if (depth === 2) {
      inFreqs = line === 'Frequencies:';
      const t = /^(HE|EHT) Iftypes: (.*)$/.exec(line);
      if (t) iftypes = t[2]!;
      if (t && /\bAP\b/.test(iftypes)) band[t[1] === 'HE' ? 'he' : 'eht'] = true;
      if (/^Capabilities: 0x/.test(line)) band.ht = true;
      if (/^VHT Capabilities/.test(line)) band.vht = true;
    }
    if (depth === 3 && line === 'HT20/HT40') band.ht40 = true;
    if (depth === 3 && /^Supported Channel Width: 160 MHz/.test(line)) band.vht160 = true;
    const f = inFreqs && depth === 3 ? /^\* (\d+)(?:\.\d+)? MHz \[\d+\](.*)$/.exec(line) : null;
    if (f) {
      band.band ??= frequencyBand(Number(f[1]));
      const p = /\((-?[\d.]+) dBm\)/.exec(f[2]!);
      if (p && !/disabled/.test(f[2]!)) band.maxTxPowerDbm = Math.max(band.maxTxPowerDbm ?? -Infinity, Number(p[1]));
    }
  }
  return out;
}

/** One channel of `iw phy <phy> channels`. */
export interface IwChannel {
  freq: number;
  channel: number;
  band?: string;
  disabled: boolean;
  /** "No IR": no initiating radiation, an AP may not start there. */
  noIr: boolean;
  radar: boolean;
  /** "usable", "available", "unavailable" (DFS state of a radar channel). */
  dfsState?: string;
}

/** `iw phy <phy> channels`. */
export function parseIwChannels(text: string): IwChannel[] {
  const out: IwChannel[] = [];
  let cur: IwChannel | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const c = /^\* (\d+)(?:\.\d+)? MHz \[(\d+)\](.*)$/.exec(line);
    if (c) {
      const freq = Number(c[1]);
      out.push((cur = { freq, channel: Number(c[2]), band: frequencyBand(freq), disabled: /\(disabled\)/.test(c[3]!), noIr: false, radar: false }));
      continue;
    }
    if (!cur) continue;
    if (line === 'No IR') cur.noIr = true;
    else if (line === 'Radar detection') cur.radar = true;
    else {
      const d = /^DFS state: (\S+)/.exec(line);
      if (d) cur.dfsState = d[1];
    }
  }
  return out;
}

/** The country of `iw reg get` ("country DE: DFS-ETSI" of the global domain; "00" is the world domain). */
export function parseIwRegCountry(text: string): string | undefined {
  // A phy with a self-managed domain prints its own "phy#N" section after the global one.
  const global = text.split(/^phy#/m)[0]!;
  const m = /^country ([A-Z0-9]{2}):/m.exec(global);
  return m && m[1] !== '00' ? m[1] : undefined;
}

/** One station of `iw dev <if> station dump`, counters from the AP's side. */
export interface IwStation {
  mac: string;
  inactiveMs?: number;
  rxBytes?: number;
  rxPackets?: number;
  txBytes?: number;
  txPackets?: number;
  txRetries?: number;
  txFailed?: number;
  signalDbm?: number;
  /** kbit/s of the last frame sent to / received from the station. */
  txBitrateKbps?: number;
  rxBitrateKbps?: number;
  /** "VHT-MCS"/"HE-MCS"/"EHT-MCS"/"MCS" in either bitrate line: the PHY generation in use. */
  generation?: 'ht' | 'vht' | 'he' | 'eht';
  authorized?: boolean;
  connectedSeconds?: number;
}

const GENERATION_RANK = { ht: 1, vht: 2, he: 3, eht: 4 } as const;

/** The PHY generation a bitrate line names ("26.0 MBit/s VHT-MCS 3 VHT-NSS 1" → vht). */
function generationOf(rate: string): IwStation['generation'] {
  if (/\bEHT-MCS\b/.test(rate)) return 'eht';
  if (/\bHE-MCS\b/.test(rate)) return 'he';
  if (/\bVHT-MCS\b/.test(rate)) return 'vht';
  if (/\bMCS\b/.test(rate)) return 'ht';
  return undefined;
}

const STATION_NUMBERS: Record<string, keyof IwStation> = {
  'inactive time': 'inactiveMs',
  'rx bytes': 'rxBytes',
  'rx packets': 'rxPackets',
  'tx bytes': 'txBytes',
  'tx packets': 'txPackets',
  'tx retries': 'txRetries',
  'tx failed': 'txFailed',
  signal: 'signalDbm',
  'connected time': 'connectedSeconds',
};

/** `iw dev <if> station dump` (or `station get <mac>`). */
export function parseStationDump(text: string): IwStation[] {
  const out: IwStation[] = [];
  let cur: IwStation | undefined;
  for (const raw of text.split('\n')) {
    const s = /^Station ([0-9a-f:]{17})/i.exec(raw);
    if (s) {
      out.push((cur = { mac: s[1]!.toLowerCase() }));
      continue;
    }
    const kv = /^\s+([^:]+):\s*(.*)$/.exec(raw);
    if (!cur || !kv) continue;
    const [key, value] = [kv[1]!.trim(), kv[2]!.trim()];
    const field = STATION_NUMBERS[key];
    const n = /^-?\d+/.exec(value);
    if (field && n) (cur as unknown as Record<string, number>)[field] = Number(n[0]);
    else if (key === 'authorized') cur.authorized = value === 'yes';
    else if (key === 'tx bitrate' || key === 'rx bitrate') {
      const r = /^([\d.]+) MBit\/s/.exec(value);
      if (r) cur[key === 'tx bitrate' ? 'txBitrateKbps' : 'rxBitrateKbps'] = Math.round(Number(r[1]) * 1000);
      const g = generationOf(value);
      if (g && (!cur.generation || GENERATION_RANK[g] > GENERATION_RANK[cur.generation])) cur.generation = g;
    }
  }
  return out;
}
