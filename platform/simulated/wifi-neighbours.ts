/**
 * The simulated gateway's Wi-Fi neighbours, for Device.WiFi.NeighboringWiFiDiagnostic(): the
 * access points of an apartment building around it, a fixed set per seed (names, BSSIDs,
 * channels, security) whose signal strengths move a few dB from one scan to the next. Each is
 * heard by the radio of its band while that radio is enabled.
 */
import type { NeighbourResult, WiFiScanner } from '../diagnostics/wifi-scan.js';
import { Prng, unit } from './random.js';
import { formatMac } from './SimContext.js';
import type { RadioState } from './wifi-radio.js';

const NAMES = [
  'FRITZ!Box 7590 KL',
  'Vodafone-8C2A',
  'o2-WLAN17',
  'TP-Link_4F1E',
  'MagentaWLAN-X3QP',
  'Telekom_FON',
  'DIRECT-5B-HP OfficeJet',
  'Wohnung 3OG',
  'EasyBox-7E2210',
  'NETGEAR58',
  '',
  'Linksys00412',
];
/** OUIs of common CPE vendors (AVM, Vodafone/Arcadyan, TP-Link, Netgear, Huawei). */
const OUIS = [0x3810d5, 0x88712f, 0x50c7bf, 0xa040a0, 0x00e0fc];
const SECURITY = ['WPA2', 'WPA2', 'WPA2', 'WPA2-PSK-WPA3-SAE', 'WPA-WPA2', 'WPA3-SAE', 'None', 'OWE'];

export interface Neighbour {
  radio: number;
  ssid: string;
  bssid: string;
  channel: number;
  security: string;
  meanDbm: number;
  width: string;
  dtim: number;
}

/** How many neighbours each band hears: 2.4 GHz carries far, 6 GHz hardly through a wall. */
const PER_BAND: Readonly<Record<string, number>> = { '2.4GHz': 9, '5GHz': 5, '6GHz': 1 };

/** The scanner of the simulated gateway's radios (Device.WiFi.Radio.1-3) for seed `seed`. */
export function simulatedNeighbours(seed: number, radios: ReadonlyArray<Pick<RadioState, 'def' | 'row'>>, now: () => number = Date.now): WiFiScanner {
  const neighbours = new Neighbours(seed, radios, now);
  // A WiFiScanner is a function: the one closure per gateway, the scan itself is shared (prototype).
  return (signal) => neighbours.scan(signal);
}

/** One gateway's neighbours; its methods are one copy for every gateway of a fleet (issue 14). */
class Neighbours {
  /**
   * Drawn at the first scan, not at start: the same draws from the same seed, and a fleet
   * gateway nobody scans holds none of them (issue 14).
   */
  private drawn: Neighbour[] | undefined;

  constructor(
    private readonly seed: number,
    private readonly radios: ReadonlyArray<Pick<RadioState, 'def' | 'row'>>,
    private readonly now: () => number,
  ) {}

  async scan(signal: AbortSignal): Promise<NeighbourResult[]> {
    // A real scan dwells on each channel; the simulation answers at once but still honours a cancel.
    if (signal.aborted) throw signal.reason;
    const { seed, radios } = this;
    const neighbours = (this.drawn ??= drawNeighbours(seed, radios));
    const minute = Math.floor(this.now() / 60_000);
    const out: NeighbourResult[] = [];
    neighbours.forEach((n, k) => {
      const r = radios[n.radio - 1];
      if (r.row().Enable !== true) return;
      const d = r.def;
      const standards = d.band === '2.4GHz' ? 'b,g,n' + (k % 3 === 0 ? ',ax' : '') : d.band === '5GHz' ? 'a,n,ac' + (k % 2 === 0 ? ',ax' : '') : 'ax';
      out.push({
        Radio: `Device.WiFi.Radio.${n.radio}`,
        SSID: n.ssid,
        BSSID: n.bssid,
        Mode: 'Infrastructure',
        Channel: n.channel,
        SignalStrength: neighbourSignal(seed, n, k, this.now()),
        SecurityModeEnabled: n.security,
        EncryptionMode: n.security === 'None' ? '' : n.security === 'WPA-WPA2' ? 'TKIP,AES' : 'AES',
        OperatingFrequencyBand: d.band,
        SupportedStandards: standards,
        OperatingStandards: standards,
        OperatingChannelBandwidth: n.width,
        BeaconPeriod: 100,
        Noise: d.noiseFloor + Math.round(unit(seed, 'neighbour-noise', n.radio, minute) * 4),
        BasicDataTransferRates: d.band === '2.4GHz' ? '1,2,5.5,11' : '6,12,24',
        SupportedDataTransferRates: d.band === '2.4GHz' ? '1,2,5.5,11,6,9,12,18,24,36,48,54' : '6,9,12,18,24,36,48,54',
        DTIMPeriod: n.dtim,
      });
    });
    return out;
  }
}

/** What neighbour `n` (the `k`th drawn) is heard at now: its mean moved a few dB from one minute to the next. */
export function neighbourSignal(seed: number, n: Neighbour, k: number, now: number): number {
  return n.meanDbm + Math.round((unit(seed, 'neighbour-signal', k, Math.floor(now / 60_000)) - 0.5) * 6);
}

/** The neighbours each radio hears, drawn from the seed in a fixed order (the scan's and a station's, wifi-endpoint.ts). */
export function drawNeighbours(seed: number, radios: ReadonlyArray<Pick<RadioState, 'def'>>): Neighbour[] {
  const rnd = new Prng(seed, 'wifi-neighbours');
  const neighbours: Neighbour[] = [];
  radios.forEach((r, i) => {
    for (let k = 0; k < (PER_BAND[r.def.band] ?? 0); k++) {
      const base = r.def.band === '2.4GHz' ? [1, 6, 11] : r.def.startupChannels;
      const width = r.def.band === '2.4GHz' ? rnd.pick(['20MHz', '20MHz', '40MHz']) : rnd.pick(r.def.band === '6GHz' ? ['160MHz'] : ['40MHz', '80MHz', '80MHz']);
      neighbours.push({
        radio: i + 1,
        ssid: rnd.pick(NAMES),
        bssid: formatMac(rnd.pick(OUIS) * 0x1000000 + rnd.int(0, 0xffffff)),
        channel: rnd.pick(base),
        security: r.def.band === '6GHz' ? 'WPA3-SAE' : rnd.pick(SECURITY),
        meanDbm: rnd.int(-88, -52),
        width,
        dtim: rnd.pick([1, 1, 2, 3]),
      });
    }
  });
  return neighbours;
}
