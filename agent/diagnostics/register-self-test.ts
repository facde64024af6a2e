/**
 * Device.SelfTestDiagnostics() (TR-181 2.12, SelfTestDiag:1; async): a self test a field engineer
 * can trust, each check real and cheap (self-test-checks.ts; the platform's sources and any a
 * plugin adds, platform/self-test-check.ts). It runs as the other diagnostics do: a Request.{i}
 * row while it runs, one of the diagnostic slots held, OperationComplete at the end, Cancel()
 * answered 7023; and one self test at a time (a second is refused with 7005).
 *
 * Status is `Complete` once every check has a verdict, whatever the verdicts (TR-181: Status says
 * whether the results are available); `Error_Internal` when the test could not run to its end.
 * Results (vendor-specific, at most 1024 characters): `failed=F/N` then `name=ok`, `name=ok(detail)`
 * or `name=fail(why)` per check, failures first so a cut keeps them, separated by `;`.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { SelfTestCheck } from '../../platform/self-test-check.js';
import type { StartedTransport } from '../transports/TransportDeps.js';
import type { DiagnosticSlots } from './DiagnosticSlots.js';
import { slotGate, withSlot, type SlotGate } from './ip-diagnostics-deps.js';
import { DataModelCheck, DEFAULT_SELF_TEST_FLOORS, DiskCheck, FirmwareCheck, MemoryCheck, mtpChecks, StoreCheck, type SelfTestFloors } from './self-test-checks.js';

/** TR-181 Results: string(1024). */
export const MAX_RESULTS_LENGTH = 1024;
/** How long one check may take before it counts as failed (its work aborted). */
export const CHECK_TIMEOUT_MS = 5000;
/** A failure's reason is cut to this, so one long message cannot crowd the others out. */
const MAX_REASON = 96;

export interface SelfTestOptions {
  slots: DiagnosticSlots;
  store: DataStore;
  log: Logger;
  /** The running MTPs, read at each run (the agent is made after the command is registered). */
  links: { readonly agent?: { readonly mtps: readonly StartedTransport[] } };
  /** The platform's checks and those plugins add, read at each run. */
  checks: readonly SelfTestCheck[];
  /** Whether a firmware backend is configured (then `firmware` is checked). */
  firmware: boolean;
  floors?: Partial<SelfTestFloors>;
  /** Per-check deadline, ms (default CHECK_TIMEOUT_MS; tests shorten it). */
  checkTimeoutMs?: number;
}

/** Registers Device.SelfTestDiagnostics(). */
export function registerSelfTest(model: DataModel, opts: SelfTestOptions): void {
  const state: SelfTestState = {
    model,
    store: opts.store,
    slots: slotGate(opts.slots),
    log: opts.log,
    links: opts.links,
    running: false,
    timeoutMs: opts.checkTimeoutMs ?? CHECK_TIMEOUT_MS,
    floors: opts.floors ? { ...DEFAULT_SELF_TEST_FLOORS, ...opts.floors } : DEFAULT_SELF_TEST_FLOORS,
    firmware: opts.firmware,
    extra: opts.checks,
  };
  model.registerCommand('Device.', 'SelfTestDiagnostics()', new BoundCheckedCommand<SelfTestState>(state, runSelfTest, precheckSelfTest));
}

/** What one agent's self test runs on; the checks are made at each run, not kept (a fleet has one of these per gateway). */
interface SelfTestState {
  model: DataModel;
  store: DataStore;
  slots: SlotGate;
  log: Logger;
  links: SelfTestOptions['links'];
  running: boolean;
  timeoutMs: number;
  floors: SelfTestFloors;
  firmware: boolean;
  extra: readonly SelfTestCheck[];
}

/** The agent's own checks, then one per running MTP, then the platform's and the plugins'. */
function checksOf(s: SelfTestState): SelfTestCheck[] {
  return [
    new StoreCheck(s.model, s.store),
    new DataModelCheck(s.model),
    new MemoryCheck(s.floors.memoryBytes),
    new DiskCheck(s.store.dir, s.floors.diskBytes),
    ...(s.firmware ? [new FirmwareCheck(s.model)] : []),
    ...mtpChecks(s.links.agent?.mtps ?? []),
    ...s.extra,
  ];
}

function busy(): UspError {
  return new UspError(ErrorCode.ResourcesExceeded, 'a self test is already running; ask again when it has completed');
}

async function precheckSelfTest(s: SelfTestState): Promise<void> {
  if (s.running) throw busy();
  s.slots.check();
}

async function runSelfTest(s: SelfTestState, call: CommandInvocation): Promise<Record<string, Value>> {
  if (s.running) throw busy();
  s.running = true;
  try {
    return await withSlot(s, async () => {
      const verdicts = await Promise.all(checksOf(s).map((c) => verdictOf(c, call.signal, s.timeoutMs)));
      // A cancel ends the command with 7023 (OperationRunner), whatever the checks said.
      call.signal.throwIfAborted();
      const failed = verdicts.filter((v) => !v.ok);
      if (failed.length) s.log.warn('self test found failures', { failed: failed.map((v) => `${v.name}: ${v.why}`).join('; ') });
      return { Status: 'Complete', Results: resultsText(verdicts) };
    });
  } catch (e) {
    if (call.signal.aborted || (e instanceof UspError && e.code === ErrorCode.ResourcesExceeded)) throw e;
    s.log.error('self test could not run', { error: e instanceof Error ? e.message : String(e) });
    return { Status: 'Error_Internal', Results: '' };
  } finally {
    s.running = false;
  }
}

interface CheckVerdict {
  name: string;
  ok: boolean;
  /** Why it failed, or what a passed check had to say (`812 MiB free`). */
  why?: string;
}

/** Runs one check with its own deadline; a throw, a rejection or the deadline is a failure with its reason. */
async function verdictOf(check: SelfTestCheck, outer: AbortSignal, timeoutMs: number): Promise<CheckVerdict> {
  const abort = new AbortController();
  const onOuter = (): void => abort.abort(outer.reason);
  outer.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new Error(`no answer in ${timeoutMs} ms`);
      abort.abort(e);
      reject(e);
    }, timeoutMs);
  });
  try {
    const detail = await Promise.race([Promise.resolve().then(() => check.run(abort.signal)), deadline]);
    return { name: check.name, ok: true, ...(typeof detail === 'string' && detail ? { why: reasonOf(detail) } : {}) };
  } catch (e) {
    return { name: check.name, ok: false, why: reasonOf(e) };
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuter);
  }
}

/** A failure's reason as it fits in Results: one line, no separators of the text, bounded. */
function reasonOf(e: unknown): string {
  const text =
    (e instanceof Error ? e.message : String(e))
      .replace(/[\r\n\t]+/g, ' ')
      .replace(/;/g, ',')
      .trim() || 'failed';
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 3)}...` : text;
}

/** `failed=F/N;` then the failures, then the passes (with their detail); cut to MAX_RESULTS_LENGTH with `...`. */
export function resultsText(verdicts: readonly CheckVerdict[]): string {
  const failed = verdicts.filter((v) => !v.ok);
  const parts = [
    `failed=${failed.length}/${verdicts.length}`,
    ...failed.map((v) => `${v.name}=fail(${v.why})`),
    ...verdicts.filter((v) => v.ok).map((v) => (v.why ? `${v.name}=ok(${v.why})` : `${v.name}=ok`)),
  ];
  const text = parts.join(';');
  return text.length > MAX_RESULTS_LENGTH ? `${text.slice(0, MAX_RESULTS_LENGTH - 3)}...` : text;
}
