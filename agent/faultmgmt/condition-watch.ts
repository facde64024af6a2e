/**
 * The agent's own alarm sources: conditions it reads from the data model the platform serves
 * (so the same code raises them on the simulated gateway, Linux and OpenWrt) and from the data
 * directory's filesystem:
 *
 * - a TemperatureSensor.{i} enabled and reading at or above its HighAlarmValue (Major; Critical
 *   10 °C above it), cleared once it reads 2 °C below (hysteresis: a reading wavering at the
 *   threshold raises once), or is disabled, or the threshold is unset (-274);
 * - MemoryStatus Free below 5 % of Total, cleared above 10 %;
 * - the data directory's filesystem below 10 % free (Critical below 2 %), cleared above 15 %.
 *
 * An upstream Ethernet port that is down is not one: on a 5G gateway the Ethernet WAN port is
 * unplugged by design, and on Linux Upstream follows the default route, which leaves with the link.
 *
 * One check per period on the process's shared timer (datamodel/shared-interval.ts): a fleet's
 * gateways add one registration each, no timer. A fleet gateway's areas not built yet are not
 * read (served() below). A check still running when the next falls due
 * is not doubled.
 */
import { statfs } from 'node:fs/promises';
import type { Logger } from '../../datamodel/Logger.js';
import { sharedInterval } from '../../datamodel/shared-interval.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { AlarmKey, PerceivedSeverity } from './alarm-types.js';
import { MEMORY_ALARM, STORAGE_ALARM, TEMPERATURE_ALARM } from './builtin-alarms.js';
import type { FaultMgmt } from './FaultMgmt.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.';
const MEMORY = 'Device.DeviceInfo.MemoryStatus.';
const NO_READING = -274;
/** °C below HighAlarmValue a sensor must read before its alarm clears. */
export const TEMPERATURE_HYSTERESIS_C = 2;
/** °C above HighAlarmValue at which the alarm is Critical. */
export const TEMPERATURE_CRITICAL_ABOVE_C = 10;
/** Free fractions: raise below, clear above. */
export const MEMORY_LOW = { raise: 0.05, clear: 0.1 } as const;
export const STORAGE_LOW = { raise: 0.1, critical: 0.02, clear: 0.15 } as const;
/** The default period of the checks, ms. */
export const DEFAULT_ALARM_CHECK_MS = 30_000;

const AGENT: RequestContext = {};

export interface ConditionWatchOptions {
  periodMs?: number;
  /** The data directory whose filesystem is watched; undefined: no storage alarm. */
  dataDir?: string;
  /**
   * Where in each period this watch checks, 0 ≤ phase < 1; undefined: every watch at the period's
   * shared tick. A fleet's gateways spread their checks over the period with it: all at one
   * tick, 10,000 gateways' checks held the event loop for seconds (issue 14: bursts of 5 CPU-s).
   */
  phase?: number;
  log: Logger;
}

/** The step a phased watch's period is cut into (its checks land on one of these ticks). */
const PHASE_STEP_MS = 1000;

export class ConditionWatch {
  private running = false;
  private stopTimer?: () => void;

  constructor(
    private readonly model: DataModel,
    private readonly fm: FaultMgmt,
    private readonly opts: ConditionWatchOptions,
  ) {}

  /** Starts the checks; a period of 0 turns the agent's own alarm sources off (plugins' alarms still work). */
  start(): void {
    const period = this.opts.periodMs ?? DEFAULT_ALARM_CHECK_MS;
    if (period <= 0 || this.stopTimer) return;
    const phase = this.opts.phase;
    if (phase === undefined) {
      this.stopTimer = sharedInterval(period, () => void this.check());
      return;
    }
    // One shared 1 s tick for every phased watch; each checks on its own step of the period.
    const steps = Math.max(1, Math.round(period / PHASE_STEP_MS));
    const mine = Math.floor(phase * steps) % steps;
    let tick = 0;
    this.stopTimer = sharedInterval(PHASE_STEP_MS, () => {
      if (tick++ % steps === mine) void this.check();
    });
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** One look at every source; never throws (a source that cannot be read now keeps its alarm as it is). */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const source of [this.temperatures, this.memory, this.storage]) {
        try {
          await source.call(this);
        } catch (e) {
          this.opts.log.debug('alarm source unreadable', { source: source.name, error: String(e) });
        }
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * The node at `path` when it is served and built. An area of a simulated fleet gateway that
   * nothing has read yet (DataModel.registerDeferred) is left alone: building it for a check
   * would cost every idle gateway its Ethernet, Wi-Fi, Cellular and thermal state (issue 14).
   * Its alarms are checked from the first time a Controller reads or writes it.
   */
  private served(path: string): ModelNode | undefined {
    const node = this.model.node(path);
    return node && this.model.isBuilt(node) ? node : undefined;
  }

  private async rows(path: string): Promise<Array<{ n: number; v: Record<string, Value> }>> {
    const node = this.served(path);
    if (!node) return [];
    const out = [];
    for (const n of await this.model.listInstances(node, [], AGENT)) out.push({ n, v: await this.model.readValues({ node, keys: [n] }, AGENT) });
    return out;
  }

  private async temperatures(): Promise<void> {
    const seen = new Set<string>();
    for (const { n, v } of await this.rows(SENSOR)) {
      const key: AlarmKey = { ...TEMPERATURE_ALARM, specificProblem: typeof v.Name === 'string' && v.Name !== '' ? v.Name : `TemperatureSensor.${n}` };
      seen.add(key.specificProblem!);
      const value = Number(v.Value);
      const high = Number(v.HighAlarmValue);
      const armed = v.Enable === true && high !== NO_READING && value !== NO_READING && Number.isFinite(value) && Number.isFinite(high);
      if (armed && value >= high) {
        const severity: PerceivedSeverity = value >= high + TEMPERATURE_CRITICAL_ABOVE_C ? 'Critical' : 'Major';
        this.fm.raise({
          ...key,
          perceivedSeverity: severity,
          managedObjectInstance: `${SENSOR.replace('{i}.', '')}${n}`,
          additionalText: severity === 'Critical' ? `reading ${TEMPERATURE_CRITICAL_ABOVE_C} °C or more above HighAlarmValue ${high} °C` : `reading at or above HighAlarmValue ${high} °C`,
        });
      } else if (!armed || value <= high - TEMPERATURE_HYSTERESIS_C) {
        this.fm.clear(key);
      }
    }
    // A sensor that left (its driver unloaded) takes its alarm with it.
    for (const a of this.fm.log.active) {
      const r = a.raise;
      if (r.eventType === TEMPERATURE_ALARM.eventType && r.probableCause === TEMPERATURE_ALARM.probableCause && !seen.has(r.specificProblem ?? '')) this.fm.clear(r);
    }
  }

  private async memory(): Promise<void> {
    const node = this.served(MEMORY);
    if (!node) return;
    const v = await this.model.readValues({ node, keys: [] }, AGENT);
    const total = Number(v.Total);
    const free = Number(v.Free);
    if (!(total > 0) || !Number.isFinite(free)) return;
    this.level(MEMORY_ALARM, free / total, MEMORY_LOW.raise, MEMORY_LOW.clear, () => ({
      perceivedSeverity: 'Major',
      managedObjectInstance: MEMORY.slice(0, -1),
      additionalText: `free memory below ${MEMORY_LOW.raise * 100} % of Total`,
    }));
  }

  private async storage(): Promise<void> {
    if (this.opts.dataDir === undefined) return;
    const s = await statfs(this.opts.dataDir);
    if (!(s.blocks > 0)) return;
    const free = s.bavail / s.blocks;
    this.level(STORAGE_ALARM, free, STORAGE_LOW.raise, STORAGE_LOW.clear, () => {
      const critical = free < STORAGE_LOW.critical;
      return {
        perceivedSeverity: critical ? 'Critical' : 'Major',
        additionalText: `the agent's data directory's filesystem has less than ${(critical ? STORAGE_LOW.critical : STORAGE_LOW.raise) * 100} % free`,
        additionalInformation: this.opts.dataDir,
      };
    });
  }

  /** A "free fraction" source: raise below `raiseBelow`, clear above `clearAbove`, between them as it is. */
  private level(key: AlarmKey, free: number, raiseBelow: number, clearAbove: number, raise: () => Omit<Parameters<FaultMgmt['raise']>[0], keyof AlarmKey>): void {
    if (free < raiseBelow) this.fm.raise({ ...key, ...raise() });
    else if (free > clearAbove) this.fm.clear(key);
  }
}
