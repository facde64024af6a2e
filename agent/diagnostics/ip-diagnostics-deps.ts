/**
 * What the IP diagnostics commands share: the model (for the Interface input), the command
 * runner and tools, the cap on diagnostics running at once, and how a tool that could not run
 * becomes a Status.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { CommandError } from '../../platform/exec/CommandError.js';
import type { CommandRunner } from '../../platform/exec/CommandRunner.js';
import type { DiagnosticSlots } from './DiagnosticSlots.js';
import type { InterfaceDevice } from './interface-input.js';

/** DiagnosticSlots with the check the Operate makes before accepting a command. */
export interface SlotGate {
  /** Throws 7005 when no slot is free now. */
  check(): void;
  acquire(): () => void;
}

export interface IpDiagnosticsDeps {
  model: DataModel;
  runner: CommandRunner;
  slots: SlotGate;
  log: Logger;
  interfaceDevice?: InterfaceDevice;
  /**
   * UDP port ServerSelectionDiagnostics() sends its "UDP Echo" pings to: the echo service's
   * (RFC 862) 7 unless set; 2.19's command has no Port argument. Tests aim it at an echo server
   * of their own.
   */
  udpEchoPort?: number;
}

/**
 * The gate over `slots`. Busy is TR-369 7005 "Resources exceeded", not a Status: the test never
 * started, and the Controller may simply ask again later. The check at Operate time answers in
 * the OperateResp; a command that loses the last slot to another in the instant between check
 * and start ends with an OperationComplete carrying 7005.
 */
export function slotGate(slots: DiagnosticSlots): SlotGate {
  return new SlotGateOver(slots);
}

/** A class, not an object of closures: a fleet's gateways share its methods (issue 14). */
class SlotGateOver implements SlotGate {
  constructor(private readonly slots: DiagnosticSlots) {}

  check(): void {
    if (this.slots.inUse >= this.slots.max) throw this.busy();
  }

  acquire(): () => void {
    const release = this.slots.tryAcquire();
    if (!release) throw this.busy();
    return release;
  }

  private busy(): UspError {
    return new UspError(ErrorCode.ResourcesExceeded, `all ${this.slots.max} diagnostic slots are in use; try again when one ends`);
  }
}

/** Runs `fn` holding one diagnostic slot. */
export async function withSlot<T>(d: { slots: SlotGate }, fn: () => Promise<T>): Promise<T> {
  const release = d.slots.acquire();
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * The Status of a diagnostic whose tool did not run to its end (not a cancel): missing or
 * unusable is Error_Internal (the device's fault), killed over time or output Error_Other.
 */
export function toolFailureStatus(d: { log: Logger }, command: string, e: unknown): 'Error_Internal' | 'Error_Other' {
  const internal = !(e instanceof CommandError) || e.failure === 'missing';
  d.log.warn(`${command} could not run its tool`, { error: e instanceof Error ? e.message : String(e) });
  return internal ? 'Error_Internal' : 'Error_Other';
}
