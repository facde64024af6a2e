/**
 * Device.QoS. itself on Linux: the table bounds (qos.ts), App and Flow not served (0), and the
 * Default* results the agent keeps in its store. DefaultTrafficClass picks the HTB default class
 * of each device; DefaultDSCPMark, DefaultEthernetPriorityMark and DefaultPolicer apply to what
 * no Classification matches (qos-nft.ts). DefaultQueue and DefaultForwardingPolicy are served
 * read-only: the queue follows DefaultTrafficClass, and QoS does no policy routing here.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { num } from '../firewall-rule-checks.js';
import { policerOf } from '../qos-rules.js';
import { invalid, type BadParam } from '../stored-table.js';

export const MAX_CLASSIFICATIONS = 64;
export const MAX_POLICERS = 16;
export const MAX_QUEUES = 32;
export const MAX_SHAPERS = 16;

const QOS_PARAMS = [
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
];
const QOS_WRITABLE = ['DefaultTrafficClass', 'DefaultPolicer', 'DefaultDSCPMark', 'DefaultEthernetPriorityMark'];
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
export function qosObjectBinding(store: DataStore, policerExists: (n: number) => boolean, write: () => Promise<void>): ObjectBinding {
  const path = 'Device.QoS.';
  return {
    params: QOS_PARAMS,
    writable: QOS_WRITABLE,
    get: () => ({
      ...QOS_DEFAULTS,
      ...store.row(path),
      MaxClassificationEntries: MAX_CLASSIFICATIONS,
      // App and Flow are not served (no application recognition): no rows, none can be added.
      MaxAppEntries: 0,
      AppNumberOfEntries: 0,
      MaxFlowEntries: 0,
      FlowNumberOfEntries: 0,
      MaxPolicerEntries: MAX_POLICERS,
      MaxQueueEntries: MAX_QUEUES,
      MaxShaperEntries: MAX_SHAPERS,
    }),
    set: async (_keys, changes) => {
      const bad: BadParam[] = [];
      for (const [p, lo, hi] of [
        ['DefaultDSCPMark', -1, 63],
        ['DefaultEthernetPriorityMark', -1, 7],
        ['DefaultTrafficClass', 0, 0xffff],
      ] as const) {
        if (changes[p] !== undefined && (num(changes[p]) < lo || num(changes[p]) > hi)) bad.push({ param: p, message: `${String(changes[p])} is not within ${lo}..${hi} on this device` });
      }
      const policer = String(changes.DefaultPolicer ?? '').replace(/\.$/, '');
      if (changes.DefaultPolicer !== undefined) changes.DefaultPolicer = policer;
      if (policer !== '' && !policerExists(policerOf(policer) ?? -1)) bad.push({ param: 'DefaultPolicer', message: `${policer} is no Policer row` });
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
