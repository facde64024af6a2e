/**
 * The checks every platform applies to Device.Hosts.AccessControl.{i}. and its deprecated
 * Schedule.{i}. rows (TR-181 AccessControl:1 and :2) before anything is written, and what a
 * stored row becomes for the firewall: the device's MAC address and its blocked week
 * (access-week.ts). A refused value is a 7012 naming the parameter; a row that cannot take
 * effect as configured (an enabled row without a MAC, an enabled schedule without a start) is
 * refused rather than kept doing nothing.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { type AccessWindow, type Blocking, blockingOf } from './access-week.js';
import { windowOfRow, windowProblems } from '../schedules/schedule-rows.js';

export { parseDays } from '../schedules/schedule-window.js';

/** AccessControl rows a device keeps (each becomes up to a few firewall rules): more is 7005. */
export const MAX_ACCESS_CONTROLS = 64;
/** Schedule rows per AccessControl row: more is 7005. */
export const MAX_SCHEDULES = 8;

export const ACCESS_CONTROL = 'Device.Hosts.AccessControl.{i}.';
export const SCHEDULE = 'Device.Hosts.AccessControl.{i}.Schedule.{i}.';
/**
 * AccessControl:2 items and the rest of the row a platform can honour. PhysAddressMask is served
 * everywhere; where the firewall matches whole MACs only (fw4, the simulated firewall), only ""
 * and FF:FF:FF:FF:FF:FF (both: the one device) are taken (AccessBackend.maskRefusal).
 */
export const CONTROL_PARAMS = ['Alias', 'Origin', 'PhysAddress', 'PhysAddressMask', 'HostName', 'Enable', 'AccessPolicy', 'ScheduleRef'] as const;
export const SCHEDULE_PARAMS = ['Alias', 'Enable', 'Day', 'StartTime', 'Duration'] as const;
/** What a Set of an AccessControl row changes: all of it (ScheduleRef names Device.Schedules rows). */
export const CONTROL_WRITABLE: readonly string[] = CONTROL_PARAMS;

const MAC_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/** A refused value: the parameter and why (a 7012 parameter error). */
export interface BadParam {
  param: string;
  message: string;
}

export function isMac(text: string): boolean {
  return MAC_RE.test(text);
}

/** A PhysAddressMask that picks out one device: "" (no mask, TR-181) or all ones. */
export function wholeMacMask(mask: string): boolean {
  return mask === '' || mask.toLowerCase() === 'ff:ff:ff:ff:ff:ff';
}

/** `mac` under `mask`, in lower case: the bits the mask keeps, zeros elsewhere. */
export function maskedMac(mac: string, mask: string): string {
  const m = mask.split(':');
  return mac
    .split(':')
    .map((o, i) => (parseInt(o, 16) & parseInt(m[i]!, 16)).toString(16).padStart(2, '0'))
    .join(':');
}

/** What is wrong with a PhysAddressMask; `refusal` is why the firewall takes whole MACs only (undefined: it takes any mask). */
function maskProblem(mask: string, refusal: string | undefined): string | undefined {
  if (wholeMacMask(mask)) return undefined;
  if (!isMac(mask)) return 'must be a mask in MAC address form (e.g. FF:FF:FF:00:00:00 for one OUI), or empty';
  if (refusal !== undefined) return `only "" or FF:FF:FF:FF:FF:FF (one device): ${refusal}`;
  if (/^(00:){5}00$/.test(mask)) return 'a mask of zeros matches every device; give the bits that pick out the devices (FF:FF:FF:00:00:00 for one OUI)';
  return undefined;
}

/**
 * What is wrong with AccessControl row `v` (the row after the change); `others` are the other
 * rows; `maskRefusal` why the firewall takes no PhysAddressMask but the whole MAC (undefined: it
 * takes any).
 */
export function controlProblems(v: Readonly<Record<string, Value>>, others: ReadonlyArray<Readonly<Record<string, Value>>>, maskRefusal?: string): BadParam[] {
  const bad: BadParam[] = [];
  const mask = maskProblem(String(v.PhysAddressMask ?? ''), maskRefusal);
  if (mask !== undefined) bad.push({ param: 'PhysAddressMask', message: mask });
  const mac = String(v.PhysAddress ?? '');
  if (mac !== '' && !isMac(mac)) bad.push({ param: 'PhysAddress', message: 'must be a MAC address (xx:xx:xx:xx:xx:xx)' });
  else if (mac === '' && v.Enable === true) bad.push({ param: 'PhysAddress', message: 'an enabled row needs the MAC address of the device it controls' });
  else if (mac !== '' && others.some((o) => String(o.PhysAddress ?? '').toLowerCase() === mac.toLowerCase())) {
    bad.push({ param: 'PhysAddress', message: `another AccessControl row controls ${mac} already` });
  }
  return bad;
}

/** What is wrong with Schedule row `v` (the row after the change): the checks of every schedule row. */
export const scheduleProblems = windowProblems;

/** The window of an enabled, complete Schedule row; undefined for any other. */
export const windowOf = windowOfRow;

/** One row that blocks its device at some time: the row's path (no trailing "."), its MAC in lower case, when. */
export interface AccessRule {
  path: string;
  mac: string;
  /**
   * The PhysAddressMask in lower case when it keeps fewer bits than the whole MAC (then `mac` is
   * already masked: the devices are those whose MAC under `mask` is `mac`); undefined: `mac` alone.
   */
  mask?: string;
  blocking: Exclude<Blocking, { kind: 'never' }>;
}

/**
 * The rule of AccessControl row `v` with its Schedule rows and the windows of the Device.Schedules
 * rows its ScheduleRef names (`referenced`; access is open in the union of all), or undefined when
 * it blocks nothing (disabled, Allow without windows).
 */
export function ruleOf(path: string, v: Readonly<Record<string, Value>>, schedules: ReadonlyArray<Readonly<Record<string, Value>>>, referenced: readonly AccessWindow[] = []): AccessRule | undefined {
  const mac = String(v.PhysAddress ?? '');
  if (v.Enable !== true || !isMac(mac)) return undefined;
  const windows = [...schedules.map(windowOf).filter((w): w is AccessWindow => w !== undefined), ...referenced];
  const blocking = blockingOf(String(v.AccessPolicy ?? 'Allow'), windows);
  if (blocking.kind === 'never') return undefined;
  const mask = String(v.PhysAddressMask ?? '');
  if (wholeMacMask(mask) || !isMac(mask)) return { path, mac: mac.toLowerCase(), blocking };
  return { path, mac: maskedMac(mac, mask), mask: mask.toLowerCase(), blocking };
}
