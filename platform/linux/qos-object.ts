/**
 * Device.QoS. itself on Linux: the table bounds (qos.ts), App and Flow not served (0), and the
 * Default* results the agent keeps in its store. DefaultTrafficClass picks the HTB default class
 * of each device; DefaultDSCPMark, DefaultEthernetPriorityMark and DefaultPolicer apply to what
 * no Classification matches (qos-nft.ts); DefaultQueue, where set, is the HTB default class of its
 * device instead. DefaultForwardingPolicy marks what no Classification matches with that policy
 * (0..255), which selects the Routing Forwarding rows of that policy (policy-routing.ts); read-only
 * where the routing has no policies (`forwardingPolicies` false: OpenWrt).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { num } from '../firewall-rule-checks.js';
import { policerOf, QOS_OBJECT_PARAMS } from '../qos-rules.js';

/** The Queue instance a DefaultQueue names, if it has that form. */
export function queueOf(reference: Value | undefined): number | undefined {
  const m = /^Device\.QoS\.Queue\.(\d+)$/.exec(String(reference ?? ''));
  return m ? Number(m[1]) : undefined;
}
import { invalid, type BadParam } from '../stored-table.js';

export const MAX_CLASSIFICATIONS = 64;
export const MAX_POLICERS = 16;
export const MAX_QUEUES = 32;
export const MAX_SHAPERS = 16;

const QOS_WRITABLE = ['DefaultTrafficClass', 'DefaultPolicer', 'DefaultQueue', 'DefaultDSCPMark', 'DefaultEthernetPriorityMark'];
const QOS_DEFAULTS: Readonly<Record<string, Value>> = {
  DefaultForwardingPolicy: 0,
  DefaultTrafficClass: 0,
  DefaultPolicer: '',
  DefaultQueue: '',
  DefaultDSCPMark: -1,
  DefaultEthernetPriorityMark: -1,
  AvailableAppList: '',
};

/** The binding of Device.QoS.; `write` puts the stored Default* results into effect (throws: refused, put back). */
export function qosObjectBinding(store: DataStore, exists: { policer(n: number): boolean; queue(n: number): boolean }, write: () => Promise<void>, forwardingPolicies = true): ObjectBinding {
  const path = 'Device.QoS.';
  return {
    params: QOS_OBJECT_PARAMS,
    writable: forwardingPolicies ? ['DefaultForwardingPolicy', ...QOS_WRITABLE] : QOS_WRITABLE,
    get: () => {
      const row = { ...QOS_DEFAULTS, ...store.row(path) };
      // A strong reference: "" once the Queue is gone (TR-106).
      if (!exists.queue(queueOf(row.DefaultQueue) ?? -1)) row.DefaultQueue = '';
      return {
        ...row,
        MaxClassificationEntries: MAX_CLASSIFICATIONS,
        // App and Flow are not served (no application recognition): no rows, none can be added.
        MaxAppEntries: 0,
        AppNumberOfEntries: 0,
        MaxFlowEntries: 0,
        FlowNumberOfEntries: 0,
        MaxPolicerEntries: MAX_POLICERS,
        MaxQueueEntries: MAX_QUEUES,
        MaxShaperEntries: MAX_SHAPERS,
      };
    },
    set: async (_keys, changes) => {
      const bad: BadParam[] = [];
      for (const [p, lo, hi] of [
        ['DefaultDSCPMark', -1, 63],
        ['DefaultEthernetPriorityMark', -1, 7],
        ['DefaultTrafficClass', 0, 0xffff],
        ['DefaultForwardingPolicy', 0, 255],
      ] as const) {
        if (changes[p] !== undefined && (num(changes[p]) < lo || num(changes[p]) > hi)) bad.push({ param: p, message: `${String(changes[p])} is not within ${lo}..${hi} on this device` });
      }
      const policer = String(changes.DefaultPolicer ?? '').replace(/\.$/, '');
      if (changes.DefaultPolicer !== undefined) changes.DefaultPolicer = policer;
      if (policer !== '' && !exists.policer(policerOf(policer) ?? -1)) bad.push({ param: 'DefaultPolicer', message: `${policer} is no Policer row` });
      const queue = String(changes.DefaultQueue ?? '').replace(/\.$/, '');
      if (changes.DefaultQueue !== undefined) changes.DefaultQueue = queue;
      if (queue !== '' && !exists.queue(queueOf(queue) ?? -1)) bad.push({ param: 'DefaultQueue', message: `${queue} is no Queue row` });
      if (bad.length > 0) throw invalid(bad);
      const before = store.row(path) ?? {};
      store.setRow(path, { ...before, ...changes });
      try {
        await write();
      } catch (e) {
        store.setRow(path, { ...before });
        throw e;
      }
    },
  };
}
