/**
 * Starts every MTP the TR-181 configuration enables (one starter per kind, mtp-kinds.ts), keeps
 * them in step with later configuration changes (reconfigure-mtps.ts), and serves the commands
 * that act on running MTPs (mtp-commands.ts). The composition root calls this once per start.
 */
import { MTP_KINDS } from './mtp-kinds.js';
import { registerMtpCommands } from './mtp-commands.js';
import { reconfigureMtpsOnChange } from './reconfigure-mtps.js';
import { RunningMtps } from './RunningMtps.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';

export interface MtpSupervision {
  /** The running MTPs; swapped in place on reconfiguration, so read it on each use. */
  readonly list: readonly StartedTransport[];
  /** Stops watching the configuration and restarting MTPs; those running keep running. */
  freeze(): void;
  /** freeze(), then stops every MTP. */
  stop(): Promise<void>;
}

/** `settle` resolves once in-flight requests are answered; restarts and command actions wait for it. */
export async function startMtps(deps: TransportDeps, settle: () => Promise<void>): Promise<MtpSupervision> {
  const running = new RunningMtps(deps, MTP_KINDS);
  await running.startAll();
  registerMtpCommands(deps.model, running, settle, deps.log.child('mtp'));
  return new Supervision(running, reconfigureMtpsOnChange(deps.model, running, { settle, log: deps.log }));
}

/** A class, so its methods are one copy for a fleet (issue 14). */
class Supervision implements MtpSupervision {
  constructor(
    private readonly running: RunningMtps,
    private readonly watch: { stop(): void },
  ) {}

  get list(): readonly StartedTransport[] {
    return this.running.list;
  }

  freeze(): void {
    this.watch.stop();
    this.running.freeze();
  }

  async stop(): Promise<void> {
    this.freeze();
    await this.running.stop();
  }
}
