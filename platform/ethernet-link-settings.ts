/**
 * Device.Ethernet.Interface.{i}.MaxBitRate and DuplexMode as one link setting (TR-181
 * EthernetInterface:1), the rule every platform writes them by: MaxBitRate -1 with DuplexMode
 * Auto is autonegotiation; a fixed speed goes with a fixed duplex, and the two are set as a pair.
 * One automatic and one fixed is refused (7012): a PHY told a speed but not a duplex (or the
 * reverse) advertises a subset of its modes and still negotiates, which reads back as neither
 * what was asked nor automatic. How a platform applies the choice (ethtool on Linux, netifd's
 * device options on OpenWrt) is its own.
 */
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { Value } from '../datamodel/value/Value.js';

/** The two settings, as TR-181 names them. */
export interface LinkSettings {
  /** Mbps; -1 automatic. */
  MaxBitRate: number;
  DuplexMode: 'Half' | 'Full' | 'Auto';
}

/** What a PHY does without being told otherwise: autonegotiation. */
export const AUTOMATIC: Readonly<LinkSettings> = { MaxBitRate: -1, DuplexMode: 'Auto' };

/** Autonegotiation, or a forced speed (Mbps) and duplex. */
export type LinkChoice = { auto: true } | { auto: false; mbps: number; duplex: 'Half' | 'Full' };

/** `now` with the MaxBitRate and DuplexMode of a Set applied over it. */
export function mergeLinkSettings(now: LinkSettings, changes: Record<string, Value>): LinkSettings {
  return {
    MaxBitRate: changes.MaxBitRate === undefined ? now.MaxBitRate : Number(changes.MaxBitRate),
    DuplexMode: changes.DuplexMode === undefined ? now.DuplexMode : (String(changes.DuplexMode) as LinkSettings['DuplexMode']),
  };
}

/** The choice `want` makes; 7012 (naming both parameters) for one automatic and one fixed setting. */
export function linkChoice(want: LinkSettings, path: string): LinkChoice {
  const autoRate = want.MaxBitRate === -1;
  const autoDuplex = want.DuplexMode === 'Auto';
  if (autoRate && autoDuplex) return { auto: true };
  if (autoRate || autoDuplex) {
    const message = `MaxBitRate ${want.MaxBitRate} with DuplexMode ${want.DuplexMode}: set both fixed, or MaxBitRate -1 with DuplexMode Auto (autonegotiation)`;
    throw new UspError(ErrorCode.InvalidValue, `${path}${message}`, {
      path,
      paramErrors: [
        { param: 'MaxBitRate', message, code: ErrorCode.InvalidValue },
        { param: 'DuplexMode', message, code: ErrorCode.InvalidValue },
      ],
    });
  }
  return { auto: false, mbps: want.MaxBitRate, duplex: want.DuplexMode as 'Half' | 'Full' };
}
