/**
 * How busy the machine was while a section ran: os.loadavg() (1, 5 and 15 minutes) at its start
 * and end. A 1-minute load above the number of logical CPUs means other jobs competed for them,
 * and the section's absolute figures (less so its alternating ratios) are low for this machine.
 */
import { cpus, loadavg } from 'node:os';
import { round } from './stats.js';

export function loadMark(): number[] {
  return loadavg().map((x) => round(x, 2));
}

export function loadFigures(start: number[]): Record<string, unknown> {
  return { start, end: loadMark(), logicalCpus: cpus().length, note: 'os.loadavg() 1/5/15 min at the start and end of the section' };
}
