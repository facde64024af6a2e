/**
 * The contract between a platform that can scan for Wi-Fi neighbours and
 * Device.WiFi.NeighboringWiFiDiagnostic() (TR-181 2.19 WiFi): one result per BSS heard, its
 * fields named as the command's Result.{i}.* output arguments (Radio, SSID, BSSID, Mode,
 * Channel, SignalStrength, SecurityModeEnabled, EncryptionMode, OperatingFrequencyBand,
 * SupportedStandards, OperatingStandards, OperatingChannelBandwidth, BeaconPeriod, Noise,
 * BasicDataTransferRates, SupportedDataTransferRates, DTIMPeriod).
 */
import type { Value } from '../../datamodel/value/Value.js';

/** One neighbouring BSS: Result.{i}.<name> → value. */
export type NeighbourResult = Record<string, Value>;

/** Scans on every radio that is up; aborting `signal` stops the scan (Request.{i}.Cancel()). */
export type WiFiScanner = (signal: AbortSignal) => Promise<NeighbourResult[]>;

/** Bound on results one diagnostic returns (a dense city block hears a few dozen BSSes per band). */
export const MAX_NEIGHBOURS = 256;
