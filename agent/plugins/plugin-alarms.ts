/**
 * PluginApi.alarms: the agent's alarm calls (agent/faultmgmt/FaultMgmt.ts) with a plugin's
 * mistakes named as plugin mistakes. A bad alarm type fails the start (it is registered in
 * register()); a raise no SupportedAlarm row covers throws to the plugin's caller, and the agent
 * stays up.
 */
import type { AlarmApi } from '../faultmgmt/FaultMgmt.js';
import { PluginUsageError } from './vendor-defs.js';

/** Where no FaultMgmt runs (an agent built without it): every call says so. */
const ABSENT: AlarmApi = {
  supportAlarm() {
    throw new PluginUsageError('this agent serves no Device.FaultMgmt.', 'run a usp-agent that serves Device.FaultMgmt.');
  },
  raise() {
    throw new Error('this agent serves no Device.FaultMgmt.');
  },
  clear() {
    throw new Error('this agent serves no Device.FaultMgmt.');
  },
};

export function pluginAlarms(alarms: AlarmApi | undefined): AlarmApi {
  if (!alarms) return ABSENT;
  return {
    supportAlarm(type) {
      try {
        return alarms.supportAlarm(type);
      } catch (e) {
        throw new PluginUsageError(
          `alarms.supportAlarm(): ${(e as Error).message}`,
          'give { eventType, probableCause, specificProblem, perceivedSeverity, reportingMechanism } as TR-181 SupportedAlarm.{i}. holds them',
        );
      }
    },
    raise: (alarm) => alarms.raise(alarm),
    clear: (alarm) => alarms.clear(alarm),
  };
}
