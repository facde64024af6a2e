/**
 * A Controller's steps on Device.FaultMgmt. shared by the alarm tests: subscribe to its news,
 * read its tables, wait for the row the agent raises.
 */
import { expect } from 'vitest';
import type { Request } from '../../agent/codec/types.js';
import { getObjects } from './get-objects.js';
import { asResponse, notifications, type TestController } from './TestController.js';

export const FM = 'Device.FaultMgmt.';
export const WAIT = { timeout: 30_000, interval: 100 } as const;

function addSubscription(params: Record<string, string>): Request {
  return {
    reqType: 'add',
    add: {
      allowPartial: false,
      createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: Object.entries({ Enable: 'true', ...params }).map(([param, value]) => ({ param, value, required: true })) }],
    },
  };
}

/** Subscribes to ObjectCreation/ObjectDeletion of every FaultMgmt table and ValueChange of CurrentAlarm severities. */
export async function subscribeFaultMgmt(c: TestController): Promise<void> {
  const subs: Array<[string, string, string]> = [
    ['fm-created', 'ObjectCreation', `${FM}CurrentAlarm.,${FM}HistoryEvent.,${FM}ExpeditedEvent.,${FM}QueuedEvent.`],
    ['fm-deleted', 'ObjectDeletion', `${FM}CurrentAlarm.`],
    ['fm-changed', 'ValueChange', `${FM}CurrentAlarm.*.PerceivedSeverity`],
  ];
  for (const [ID, NotifType, ReferenceList] of subs) {
    const r = asResponse(await c.send(addSubscription({ ID, NotifType, ReferenceList })));
    expect(r.respType).toBe('addResp');
  }
}

/** The rows of one FaultMgmt table, by instance path. */
export async function rowsOf(c: TestController, table: string): Promise<Record<string, Record<string, string>>> {
  return getObjects(c, [`${FM}${table}.`]).then((o) => Object.fromEntries(Object.entries(o).filter(([p]) => p !== `${FM}${table}.`)));
}

/** Paths the Controller was told were created (ObjectCreation) under `table`. */
export function createdPaths(c: TestController, table: string): string[] {
  return notifications(c).flatMap((n) => (n.notify.notification === 'objCreation' && n.notify.objCreation.objPath.startsWith(`${FM}${table}.`) ? [n.notify.objCreation.objPath] : []));
}

export function deletedPaths(c: TestController, table: string): string[] {
  return notifications(c).flatMap((n) => (n.notify.notification === 'objDeletion' && n.notify.objDeletion.objPath.startsWith(`${FM}${table}.`) ? [n.notify.objDeletion.objPath] : []));
}

export function severityChanges(c: TestController): Array<{ path: string; value: string }> {
  return notifications(c).flatMap((n) => (n.notify.notification === 'valueChange' ? [{ path: n.notify.valueChange.paramPath, value: n.notify.valueChange.paramValue }] : []));
}

/** The NotificationType of each HistoryEvent row for `alarmId`, in row order. */
export async function historyOf(c: TestController, alarmId: string, table = 'HistoryEvent'): Promise<Array<Record<string, string>>> {
  const rows = await rowsOf(c, table);
  return Object.entries(rows)
    .sort(([a], [b]) => Number(a.split('.').at(-2)) - Number(b.split('.').at(-2)))
    .map(([, r]) => r)
    .filter((r) => r.AlarmIdentifier === alarmId);
}
