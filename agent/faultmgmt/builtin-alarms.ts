/**
 * The alarm types the agent raises itself (condition-watch.ts), on every platform that serves
 * their source: the first SupportedAlarm rows, in this order at every start (their instance
 * numbers, and the ReportingMechanism a Controller set on each, stay theirs). One frozen list
 * for every agent of a process. Names after ITU-T X.733: its event types and probable causes.
 */
import type { AlarmKey, AlarmType } from './alarm-types.js';

/** A TemperatureSensor at or above its HighAlarmValue (SpecificProblem: the sensor's Name). */
export const TEMPERATURE_ALARM = { eventType: 'Environmental Alarm', probableCause: 'Temperature Unacceptable' } as const;
/** Device.DeviceInfo.MemoryStatus: free memory below a twentieth of the total. */
export const MEMORY_ALARM: AlarmKey = { eventType: 'Processing Error Alarm', probableCause: 'Out Of Memory', specificProblem: 'Free memory low' };
/** The filesystem of the agent's data directory (its configuration, the Bulk Data and capture files) nearly full. */
export const STORAGE_ALARM: AlarmKey = { eventType: 'Processing Error Alarm', probableCause: 'Storage Capacity Problem', specificProblem: 'Data filesystem nearly full' };

export const BUILTIN_ALARM_TYPES: readonly AlarmType[] = Object.freeze([
  Object.freeze({ ...TEMPERATURE_ALARM, specificProblem: '*', perceivedSeverity: '*', reportingMechanism: '0 Expedited' }),
  Object.freeze({ ...MEMORY_ALARM, specificProblem: MEMORY_ALARM.specificProblem!, perceivedSeverity: 'Major', reportingMechanism: '1 Queued' }),
  Object.freeze({ ...STORAGE_ALARM, specificProblem: STORAGE_ALARM.specificProblem!, perceivedSeverity: '*', reportingMechanism: '1 Queued' }),
] satisfies AlarmType[]);
