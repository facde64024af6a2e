/**
 * What every platform's Device.RouterAdvertisement. (TR-181 RouterAdvertisement:1) shares: the
 * served parameters, the bounds of a row and the checks made before a row is kept.
 *
 * An InterfaceSetting row is the router's advertising on one IP interface (RFC 4861 §6.2.1
 * AdvSendAdvertisements and the variables beside it); an Option row is one more option carried
 * in its advertisements (type `Tag`, body `Value`). The checks refuse (7012, naming the
 * parameter) what RFC 4861 forbids a router to advertise, beyond the schema's ranges:
 * MinRtrAdvInterval above 0.75 × MaxRtrAdvInterval, a router lifetime (AdvDefaultLifetime) that
 * is neither 0 nor at least MaxRtrAdvInterval (RFC 4861 §6.2.1, upper bound 65535 s by
 * RFC 8319), an MTU below IPv6's minimum link MTU (1280, RFC 8200 §5), and an option type that
 * does not fit the option's 8-bit Type field or a body too long for its 8-bit Length (in units
 * of 8 octets, RFC 4861 §4.6). An Interface that names no IP.Interface row is the platform's
 * check (it knows its rows).
 */
import type { Value } from '../datamodel/value/Value.js';
import type { BadParam } from './stored-table.js';

export const ROUTER_ADVERTISEMENT = 'Device.RouterAdvertisement.';
export const RA_SETTING = 'Device.RouterAdvertisement.InterfaceSetting.{i}.';
export const RA_OPTION = 'Device.RouterAdvertisement.InterfaceSetting.{i}.Option.{i}.';

/** Served parameters of an InterfaceSetting row (RouterAdvertisement:1's, with Alias). */
export const RA_SETTING_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Interface',
  'MaxRtrAdvInterval',
  'MinRtrAdvInterval',
  'AdvDefaultLifetime',
  'AdvManagedFlag',
  'AdvOtherConfigFlag',
  'AdvMobileAgentFlag',
  'AdvPreferredRouterFlag',
  'AdvNDProxyFlag',
  'AdvLinkMTU',
  'AdvReachableTime',
  'AdvRetransTimer',
  'AdvCurHopLimit',
] as const;
export const RA_OPTION_PARAMS = ['Enable', 'Alias', 'Tag', 'Value'] as const;
/** Computed on read, never stored. */
export const RA_LIVE: ReadonlySet<string> = new Set(['Status']);

/** InterfaceSetting rows a device keeps at most (7005 beyond): one per LAN interface is the norm. */
export const MAX_RA_SETTINGS = 8;
/** Option rows per InterfaceSetting (7005 beyond). */
export const MAX_RA_OPTIONS = 8;

/** IPv6's minimum link MTU (RFC 8200 §5): an advertised MTU below it would break every host. */
export const IPV6_MIN_MTU = 1280;
/** The longest option body: Length is 8 bits in units of 8 octets, the 2-octet header included. */
export const MAX_RA_OPTION_BYTES = 255 * 8 - 2;

/** Problems of an InterfaceSetting row as it would be after a change (`merged`), naming what `changes` changed where it can. */
export function raSettingProblems(merged: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  const max = Number(merged.MaxRtrAdvInterval ?? 600);
  const min = Number(merged.MinRtrAdvInterval ?? 200);
  const blame = (a: string, b: string): string => (a in changes || !(b in changes) ? a : b);
  if (min > 0.75 * max) {
    bad.push({ param: blame('MinRtrAdvInterval', 'MaxRtrAdvInterval'), message: `MinRtrAdvInterval ${min} s is more than 0.75 × MaxRtrAdvInterval ${max} s (RFC 4861 §6.2.1)` });
  }
  const lifetime = Number(merged.AdvDefaultLifetime ?? 1800);
  if (lifetime !== 0 && lifetime < max) {
    bad.push({ param: blame('AdvDefaultLifetime', 'MaxRtrAdvInterval'), message: `AdvDefaultLifetime ${lifetime} s must be 0 or at least MaxRtrAdvInterval ${max} s (RFC 4861 §6.2.1)` });
  }
  const mtu = Number(merged.AdvLinkMTU ?? 0);
  if (mtu !== 0 && (mtu < IPV6_MIN_MTU || mtu > 65535)) bad.push({ param: 'AdvLinkMTU', message: `${mtu} is no IPv6 link MTU (0 for none, or ${IPV6_MIN_MTU}-65535)` });
  return bad;
}

/** Problems of an Option row as it would be after a change. */
export function raOptionProblems(merged: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  const tag = Number(merged.Tag ?? 0);
  if (tag < 1 || tag > 255) bad.push({ param: 'Tag', message: `${tag} is no Router Advertisement option type (1-255: the Type field is 8 bits)` });
  const hex = String(merged.Value ?? '');
  if (hex.length / 2 > MAX_RA_OPTION_BYTES) bad.push({ param: 'Value', message: `${hex.length / 2} octets do not fit one option (at most ${MAX_RA_OPTION_BYTES})` });
  return bad;
}
