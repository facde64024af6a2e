/**
 * What every platform's Device.NeighborDiscovery. (TR-181 NeighborDiscovery:1) shares: the
 * served parameters and the bounds of a row. An InterfaceSetting row is the host side of
 * Neighbor Discovery on one IP interface (RFC 4861 §6.3.2 RetransTimer, §6.3.7 router
 * solicitations, §7.3 neighbour unreachability detection; RFC 4862 §5.1 DupAddrDetectTransmits).
 */
import type { Value } from '../datamodel/value/Value.js';
import type { BadParam } from './stored-table.js';

export const NEIGHBOR_DISCOVERY = 'Device.NeighborDiscovery.';
export const ND_SETTING = 'Device.NeighborDiscovery.InterfaceSetting.{i}.';

/** Served parameters (NeighborDiscovery:1's, with Alias and DADTransmits). */
export const ND_SETTING_PARAMS = ['Enable', 'Status', 'Alias', 'Interface', 'DADTransmits', 'RetransTimer', 'RtrSolicitationInterval', 'MaxRtrSolicitations', 'NUDEnable', 'RSEnable'] as const;
/** Computed on read, never stored. */
export const ND_LIVE: ReadonlySet<string> = new Set(['Status']);

/** Rows a device keeps at most (7005 beyond). */
export const MAX_ND_SETTINGS = 16;
/**
 * Upper bounds the schema leaves open: a retransmission timer past an hour or more than 100
 * solicitations or DAD probes is no configuration, only a typo (the kernel would take up to 2^31).
 */
export const MAX_RETRANS_TIMER_MS = 3_600_000;
export const MAX_RTR_SOLICITATION_INTERVAL_MS = 3_600_000;
export const MAX_SOLICITATIONS = 100;

/** Problems of a row as it would be after a change (the schema's minimums are checked before). */
export function ndSettingProblems(merged: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  const over = (param: string, max: number, unit: string): void => {
    const v = Number(merged[param] ?? 0);
    if (v > max) bad.push({ param, message: `${v}${unit} is more than this device takes (at most ${max}${unit})` });
  };
  over('RetransTimer', MAX_RETRANS_TIMER_MS, ' ms');
  over('RtrSolicitationInterval', MAX_RTR_SOLICITATION_INTERVAL_MS, ' ms');
  over('MaxRtrSolicitations', MAX_SOLICITATIONS, '');
  over('DADTransmits', MAX_SOLICITATIONS, '');
  return bad;
}
