/**
 * Device.QoS (TR-181 QoS:1): what a Classification, Policer, Queue and Shaper row means, and the
 * checks every platform makes of one before keeping it, whatever then enforces it (nftables and
 * tc on Linux, the simulated gateway's own traffic model).
 *
 * - Classification criteria are the firewall Rule's IP/port criteria (firewall-rule-checks.ts),
 *   with DSCPCheck for the Rule's DSCP, plus MAC, 802.1p and VLAN ID criteria. Its results:
 *   DSCPMark and EthernetPriorityMark (-1 leave, -2 derive from the other per TR-181 Annex A),
 *   TrafficClass (-1 none) and Policer (a Device.QoS.Policer.{i} row or empty).
 * - TR-106 Order: the matching enabled Classification with the lowest Order applies (ties and
 *   moving as bridge-filter-rules.ts's inOrder/nextOrder).
 * - A TrafficClass reaches a Queue by that Queue's TrafficClasses list; a Classification whose
 *   class no enabled Queue lists is not in effect (Status Error_Misconfigured).
 * - ShapingRate <= 100 is a percentage of the egress link's rate, > 100 bits per second, -1 none.
 */
import type { Value } from '../datamodel/value/Value.js';
import { items } from './bridge-filter-rules.js';
import { IP_PORT_CRITERIA, num, ruleProblems } from './firewall-rule-checks.js';
import type { BadParam } from './stored-table.js';

/** The Device.QoS. parameters the platforms serve: the bounds, the counts and the defaults. */
export const QOS_OBJECT_PARAMS = [
  'MaxClassificationEntries',
  'MaxAppEntries',
  'AppNumberOfEntries',
  'MaxFlowEntries',
  'FlowNumberOfEntries',
  'MaxPolicerEntries',
  'MaxQueueEntries',
  'MaxShaperEntries',
  'DefaultForwardingPolicy',
  'DefaultTrafficClass',
  'DefaultPolicer',
  'DefaultQueue',
  'DefaultDSCPMark',
  'DefaultEthernetPriorityMark',
  'AvailableAppList',
] as const;

/** The Classification parameters the platforms serve: the row, its IP/port, MAC, DSCP, 802.1p and VLAN criteria and results. */
export const CLASSIFICATION_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Order',
  'Interface',
  'AllInterfaces',
  ...IP_PORT_CRITERIA,
  'SourceMACAddress',
  'SourceMACExclude',
  'DestMACAddress',
  'DestMACExclude',
  'DSCPCheck',
  'DSCPExclude',
  'DSCPMark',
  'EthernetPriorityCheck',
  'EthernetPriorityExclude',
  'EthernetPriorityMark',
  'VLANIDCheck',
  'VLANIDExclude',
  'ForwardingPolicy',
  'TrafficClass',
  'Policer',
] as const;

/** A Policer's counters, read from the platform (0 where it counts nothing). */
export const POLICER_COUNTERS = [
  'TotalCountedPackets',
  'TotalCountedBytes',
  'ConformingCountedPackets',
  'ConformingCountedBytes',
  'PartiallyConformingCountedPackets',
  'PartiallyConformingCountedBytes',
  'NonConformingCountedPackets',
  'NonConformingCountedBytes',
] as const;

export const POLICER_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'CommittedRate',
  'CommittedBurstSize',
  'ExcessBurstSize',
  'PeakRate',
  'PeakBurstSize',
  'MeterType',
  'PossibleMeterTypes',
  'ConformingAction',
  'PartialConformingAction',
  'NonConformingAction',
  ...POLICER_COUNTERS,
] as const;

export const QUEUE_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'TrafficClasses',
  'Interface',
  'AllInterfaces',
  'BufferLength',
  'Weight',
  'Precedence',
  'REDThreshold',
  'REDPercentage',
  'DropAlgorithm',
  'SchedulerAlgorithm',
  'ShapingRate',
  'ShapingBurstSize',
] as const;

export const SHAPER_PARAMS = ['Enable', 'Status', 'Alias', 'Interface', 'ShapingRate', 'ShapingBurstSize'] as const;

const MAC_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
const POLICER_RE = /^Device\.QoS\.Policer\.(\d+)$/;
/** TR-181's ConformingAction pattern: Null, Drop, Count, <DSCP>, :<802.1p>, <DSCP>:<802.1p>. */
const ACTION_RE = /^(Null|Drop|Count|(\d+)|:(\d+)|(\d+):(\d+))$/;

/** A value within lo..hi as an integer, else a problem naming `param`. */
function range(bad: BadParam[], r: Readonly<Record<string, Value>>, param: string, lo: number, hi: number, fallback = -1): void {
  const v = num(r[param], fallback);
  if (!Number.isInteger(v) || v < lo || v > hi) bad.push({ param, message: `${String(r[param])} is not within ${lo}..${hi}` });
}

/** The Policer instance a Classification's Policer names, if it has that form. */
export function policerOf(reference: Value | undefined): number | undefined {
  const m = POLICER_RE.exec(String(reference ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The traffic classes a Queue's TrafficClasses lists. */
export function trafficClasses(v: Value | undefined): number[] {
  return items(v).map(Number);
}

/**
 * What makes a Classification row's criteria or results impossible, each naming its parameter
 * (7012). Interfaces and the Policer row's existence are checked by the caller, which knows them.
 */
export function classificationProblems(r: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  // The firewall Rule's IP/port checks, DSCPCheck standing for the Rule's DSCP.
  for (const b of ruleProblems({ ...r, Target: 'Drop', IPVersion: -1, DSCP: r.DSCPCheck ?? -1 })) {
    if (b.param === 'DSCP') bad.push({ param: 'DSCPCheck', message: b.message });
    else if (b.param === 'IPVersion') bad.push({ param: 'DestIP', message: 'SourceIP and DestIP are of different IP versions' });
    else bad.push(b);
  }
  for (const param of ['SourceMACAddress', 'DestMACAddress'] as const) {
    const mac = String(r[param] ?? '');
    if (mac !== '' && !MAC_RE.test(mac)) bad.push({ param, message: `${mac}: not a MAC address (xx:xx:xx:xx:xx:xx)` });
  }
  range(bad, r, 'DSCPMark', -2, 63);
  range(bad, r, 'EthernetPriorityCheck', -1, 7);
  range(bad, r, 'EthernetPriorityMark', -2, 7);
  range(bad, r, 'VLANIDCheck', -1, 4094);
  range(bad, r, 'TrafficClass', -1, 0xffffffff);
  if (num(r.DSCPMark) === -2 && num(r.EthernetPriorityMark) === -2)
    bad.push({ param: 'EthernetPriorityMark', message: 'DSCPMark and EthernetPriorityMark cannot both be derived (-2) from each other' });
  const policer = String(r.Policer ?? '');
  if (policer !== '' && policerOf(policer) === undefined) bad.push({ param: 'Policer', message: `${policer} is no Device.QoS.Policer.{i} row` });
  return bad;
}

/** Whether a ConformingAction-style value has TR-181's form, with DSCP 0..63 and 802.1p 0..7. */
export function actionValid(action: Value | undefined): boolean {
  const m = ACTION_RE.exec(String(action ?? ''));
  if (!m) return false;
  const dscp = m[2] ?? m[4];
  const pcp = m[3] ?? m[5];
  return (dscp === undefined || Number(dscp) <= 63) && (pcp === undefined || Number(pcp) <= 7);
}

/** What makes a Policer row impossible with the meters `meters` this platform has (7012). */
export function policerProblems(r: Readonly<Record<string, Value>>, meters: readonly string[]): BadParam[] {
  const bad: BadParam[] = [];
  const meter = String(r.MeterType ?? 'SimpleTokenBucket');
  if (!meters.includes(meter)) bad.push({ param: 'MeterType', message: `${meter}: this device meters with ${meters.join(', ')} only` });
  for (const param of ['ConformingAction', 'PartialConformingAction', 'NonConformingAction'] as const) {
    if (r[param] !== undefined && !actionValid(r[param])) bad.push({ param, message: `${String(r[param])}: not Null, Drop, Count, <DSCP>, :<priority> or <DSCP>:<priority>` });
  }
  if (r.Enable === true && num(r.CommittedRate, 0) <= 0) bad.push({ param: 'CommittedRate', message: 'an enabled Policer needs a committed rate above 0 bits per second' });
  // RFC 2698: the peak rate is at least the committed rate.
  if (r.Enable === true && meter === 'TwoRateThreeColor' && num(r.PeakRate, 0) < num(r.CommittedRate, 0))
    bad.push({ param: 'PeakRate', message: 'a two-rate meter needs PeakRate at or above CommittedRate' });
  return bad;
}

/** A ShapingRate's problems: -1, a percentage 1..100, or bits per second above 100. */
function shapingProblems(bad: BadParam[], r: Readonly<Record<string, Value>>): void {
  const rate = num(r.ShapingRate);
  if (!Number.isInteger(rate) || rate < -1 || rate === 0) bad.push({ param: 'ShapingRate', message: `${String(r.ShapingRate)}: -1 (none), 1..100 (percent) or bits per second above 100` });
}

/** What makes a Queue row impossible with the drop and scheduler algorithms `algorithms` this platform has (7012). */
export function queueProblems(r: Readonly<Record<string, Value>>, algorithms: { drop: readonly string[]; scheduler: readonly string[] }): BadParam[] {
  const bad: BadParam[] = [];
  const wrong = items(r.TrafficClasses).filter((c) => !/^\d+$/.test(c) || Number(c) > 0xffffffff);
  if (wrong.length > 0) bad.push({ param: 'TrafficClasses', message: `${wrong.join(', ')}: a traffic class is an unsigned number` });
  shapingProblems(bad, r);
  range(bad, r, 'Precedence', 1, 0xffffffff, 1);
  const drop = String(r.DropAlgorithm ?? 'DT');
  if (!algorithms.drop.includes(drop)) bad.push({ param: 'DropAlgorithm', message: `${drop}: this device drops with ${algorithms.drop.join(', ')} only` });
  const scheduler = String(r.SchedulerAlgorithm ?? 'SP');
  if (!algorithms.scheduler.includes(scheduler)) bad.push({ param: 'SchedulerAlgorithm', message: `${scheduler}: this device schedules with ${algorithms.scheduler.join(', ')} only` });
  return bad;
}

/** What makes a Shaper row impossible (7012); its Interface is checked by the caller. */
export function shaperProblems(r: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  shapingProblems(bad, r);
  return bad;
}

/**
 * A ShapingRate in bits per second on a link of `linkBps` (undefined: unknown): -1 gives
 * undefined (no shaping), a percentage needs the link's rate.
 */
export function shapingBps(rate: Value | undefined, linkBps: number | undefined): number | undefined {
  const r = num(rate);
  if (r === -1) return undefined;
  if (r > 100) return r;
  return linkBps === undefined ? undefined : Math.floor((linkBps * r) / 100);
}

/** Whether some enabled Queue lists traffic class `tc` (TR-181: a Classification's class MUST be one a Queue has). */
export function classQueued(tc: number, queues: ReadonlyArray<Readonly<Record<string, Value>>>): boolean {
  return queues.some((q) => q.Enable === true && trafficClasses(q.TrafficClasses).includes(tc));
}
