/**
 * ScheduleRef (TR-181 2.18: Hosts.AccessControl.{i}, NAT.PortMapping.{i}, ...): a list of strong
 * references to Device.Schedules.Schedule.{i} rows. What every referring table does with it:
 * an item naming no existing row is refused (7012) at Set and Add, and deleting a Schedule row
 * takes it out of every list that named it, in the same transaction (TR-181's rule for a strong
 * reference list: the item goes, the referring row stays).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { ScheduleBook } from './ScheduleBook.js';
import { MAX_SCHEDULE_REFS, SCHEDULE_ROW, scheduleInstance, scheduleRefs } from './schedule-rows.js';

/** What is wrong with a ScheduleRef list, or undefined. */
export function scheduleRefProblem(book: ScheduleBook, list: Value | undefined): string | undefined {
  const refs = scheduleRefs(list);
  if (refs.length > MAX_SCHEDULE_REFS) return `at most ${MAX_SCHEDULE_REFS} schedules`;
  for (const ref of refs) {
    if (scheduleInstance(ref) === undefined) return `${ref} is no Device.Schedules.Schedule.{i} row`;
    if (!book.exists(ref)) return `${ref} does not exist (add it to Device.Schedules.Schedule. first)`;
  }
  return undefined;
}

/**
 * When a Schedule row is deleted, its path leaves the ScheduleRef of every row of
 * `referrer` (a one-level table, e.g. "Device.Hosts.AccessControl.{i}.") kept in `store`.
 */
export function dropScheduleRefsOnDelete(model: DataModel, store: DataStore, referrer: string): void {
  const node = model.requireNode(referrer);
  model.onDelete(SCHEDULE_ROW, async (deleted, tx) => {
    const gone = deleted.node.pathOf(deleted.keys).slice(0, -1);
    for (const n of [...store.instances(node.tablePathOf([]))]) {
      const refs = scheduleRefs(store.row(node.pathOf([n]))?.ScheduleRef);
      if (refs.includes(gone)) await tx.set({ node, keys: [n] }, { ScheduleRef: refs.filter((r) => r !== gone).join(',') });
    }
  });
}
