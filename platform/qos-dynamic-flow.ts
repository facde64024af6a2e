/**
 * Device.QoS.App.{i}. and Device.QoS.Flow.{i}. (TR-181 QoSDynamicFlow:1): what an App or Flow
 * row means and the checks a platform makes of one before keeping it (7012, naming the
 * parameter), whatever then recognises the traffic.
 *
 * - An App names a protocol by URN (ProtocolIdentifier; TR-181 Annex A defines SIP, H.323,
 *   H.248, MGCP and bridged PPPoE) and the results for its traffic that no Flow of it covers
 *   (DefaultTrafficClass, DefaultPolicer, the Default marks).
 * - A Flow is one kind of traffic of its App (Flow.App), named by a Type URN: an SDP media
 *   stream `urn:dslforum-org:sdp-<media>-<transport>` (the fields of the SDP "m=" line with
 *   non-alphanumerics dropped), or `urn:dslforum-org:pppoe`, the one flow of a PPPoE App.
 *   TypeParameters are name=value pairs (form-urlencoded) that narrow the flow: Annex A defines
 *   ServiceName, ACName and PPPDomain for the PPPoE flow and none for SDP flows.
 * - Marks as the Classification's: DSCP -1 leave, -2 derive, 0..63; 802.1p -1, -2, 0..7; the two
 *   cannot both be derived from each other.
 */
import type { Value } from '../datamodel/value/Value.js';
import { items } from './bridge-filter-rules.js';
import { num } from './firewall-rule-checks.js';
import { policerOf } from './qos-rules.js';
import type { BadParam } from './stored-table.js';

/** The App parameters served: QoSDynamicFlow:1's, with Alias. */
export const APP_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'ProtocolIdentifier',
  'Name',
  'DefaultForwardingPolicy',
  'DefaultTrafficClass',
  'DefaultPolicer',
  'DefaultDSCPMark',
  'DefaultEthernetPriorityMark',
] as const;

/** The Flow parameters served: QoSDynamicFlow:1's, with Alias. */
export const FLOW_PARAMS = ['Enable', 'Status', 'Alias', 'Type', 'TypeParameters', 'Name', 'App', 'ForwardingPolicy', 'TrafficClass', 'Policer', 'DSCPMark', 'EthernetPriorityMark'] as const;

/** TR-181 Annex A's ProtocolIdentifier URNs. */
export const PPPOE_URN = 'urn:dslforum-org:pppoe';
export const ANNEX_A_PROTOCOLS = ['urn:dslforum-org:sip', 'urn:dslforum-org:h.323', 'urn:dslforum-org:h.248', 'urn:dslforum-org:mgcp', PPPOE_URN] as const;

/** The TypeParameters names Annex A defines for the PPPoE flow. */
const PPPOE_TYPE_PARAMETERS: readonly string[] = ['ServiceName', 'ACName', 'PPPDomain'];
const SDP_FLOW_RE = /^urn:dslforum-org:sdp-[A-Za-z0-9]+-[A-Za-z0-9]+$/;
const APP_RE = /^Device\.QoS\.App\.(\d+)$/;
/** One x-www-form-urlencoded name=value pair (HTML 4.01 17.13.4.1): unreserved characters, '+' and %XX escapes. */
const PAIR_RE = /^([A-Za-z0-9._~*+-]|%[0-9A-Fa-f]{2})+=([A-Za-z0-9._~*+-]|%[0-9A-Fa-f]{2})*$/;

/** The kind of flow a Type URN names: 'sdp', 'pppoe', '' for none, undefined for one this device does not know. */
export function flowKind(type: Value | undefined): 'sdp' | 'pppoe' | '' | undefined {
  const t = String(type ?? '');
  if (t === '') return '';
  if (t === PPPOE_URN) return 'pppoe';
  return SDP_FLOW_RE.test(t) ? 'sdp' : undefined;
}

/** The App instance a reference names, if it has that form. */
export function appOf(reference: Value | undefined): number | undefined {
  const m = APP_RE.exec(String(reference ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** Whether a flow of type `type` can belong to an App of protocol `protocol` ('' fits any). */
export function flowFitsApp(type: Value | undefined, protocol: Value | undefined): boolean {
  const kind = flowKind(type);
  const p = String(protocol ?? '');
  if (kind === '' || p === '') return true;
  // Annex A: the PPPoE App has the one PPPoE flow; SDP media flows belong to signalling protocols.
  return (kind === 'pppoe') === (p === PPPOE_URN);
}

/** The names of a TypeParameters list, decoded; undefined when an item is not a name=value pair. */
export function typeParameterNames(list: Value | undefined): string[] | undefined {
  const names: string[] = [];
  for (const item of items(list)) {
    if (!PAIR_RE.test(item)) return undefined;
    names.push(decodeURIComponent(item.slice(0, item.indexOf('=')).replace(/\+/g, ' ')));
  }
  return names;
}

/** The DSCP and 802.1p marks `dscp` and `pcp` of a row: ranges, and not both derived. */
function markProblems(bad: BadParam[], r: Readonly<Record<string, Value>>, dscp: string, pcp: string): void {
  for (const [param, hi] of [
    [dscp, 63],
    [pcp, 7],
  ] as const) {
    const v = num(r[param]);
    if (!Number.isInteger(v) || v < -2 || v > hi) bad.push({ param, message: `${String(r[param])} is not within -2..${hi}` });
  }
  if (num(r[dscp]) === -2 && num(r[pcp]) === -2) bad.push({ param: pcp, message: `${dscp} and ${pcp} cannot both be derived (-2) from each other` });
}

/** A Policer reference's form (its row's existence is the caller's to check). */
function policerFormProblem(bad: BadParam[], r: Readonly<Record<string, Value>>, param: string): void {
  const ref = String(r[param] ?? '');
  if (ref !== '' && policerOf(ref) === undefined) bad.push({ param, message: `${ref} is no Device.QoS.Policer.{i} row` });
}

/**
 * What makes an App row impossible on a device that recognises the protocols `protocols` (7012).
 * Whether its DefaultPolicer row exists is the caller's to check.
 */
export function appProblems(r: Readonly<Record<string, Value>>, protocols: readonly string[]): BadParam[] {
  const bad: BadParam[] = [];
  const protocol = String(r.ProtocolIdentifier ?? '');
  if (protocol !== '' && !protocols.includes(protocol)) bad.push({ param: 'ProtocolIdentifier', message: `${protocol}: this device recognises ${protocols.join(', ')} (AvailableAppList)` });
  markProblems(bad, r, 'DefaultDSCPMark', 'DefaultEthernetPriorityMark');
  policerFormProblem(bad, r, 'DefaultPolicer');
  return bad;
}

/** What makes a Flow row impossible (7012). Whether its App and Policer rows exist is the caller's to check. */
export function flowProblems(r: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  const kind = flowKind(r.Type);
  if (kind === undefined) bad.push({ param: 'Type', message: `${String(r.Type)}: not urn:dslforum-org:sdp-<media>-<transport> or ${PPPOE_URN}` });
  const names = typeParameterNames(r.TypeParameters);
  if (names === undefined) bad.push({ param: 'TypeParameters', message: 'each item is one name=value pair, x-www-form-urlencoded' });
  else {
    const known = kind === 'pppoe' ? PPPOE_TYPE_PARAMETERS : [];
    const unknown = names.filter((n) => !known.includes(n));
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (unknown.length > 0)
      bad.push({ param: 'TypeParameters', message: `${unknown.join(', ')}: the flow type ${String(r.Type ?? '') || '(none)'} takes ${known.length > 0 ? known.join(', ') : 'no parameters'}` });
    else if (twice.length > 0) bad.push({ param: 'TypeParameters', message: `${twice.join(', ')} given more than once` });
  }
  const app = String(r.App ?? '');
  if (app !== '' && appOf(app) === undefined) bad.push({ param: 'App', message: `${app} is no Device.QoS.App.{i} row` });
  policerFormProblem(bad, r, 'Policer');
  markProblems(bad, r, 'DSCPMark', 'EthernetPriorityMark');
  return bad;
}
