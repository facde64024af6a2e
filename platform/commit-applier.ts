/**
 * For a part whose rows become one configuration put into effect as a whole (a daemon's
 * configuration file, a set of child processes): the row bindings mark it changed, and once the
 * transaction is committed (the store saved) it is applied once, with the answer waiting for it.
 * A commit whose save failed puts the store back as saved: the configuration is applied again so
 * it follows. The Linux dnsmasq, Mosquitto and udhcpc parts each had this written out.
 */
import type { Logger } from '../datamodel/Logger.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';

export class CommitApplier {
  private dirty = false;

  /** `what` names the configuration in the warning when applying it fails ("dnsmasq configuration"). */
  constructor(model: DataModel, apply: () => Promise<void>, log: Logger | undefined, what: string) {
    const run = (): Promise<void> => {
      if (!this.dirty) return Promise.resolve();
      this.dirty = false;
      return apply().catch((e: unknown) => log?.warn(`${what} not applied`, { why: e instanceof Error ? e.message : String(e) }));
    };
    model.onCommit(run, () => {
      this.dirty = true;
      void run();
    });
  }

  /** Marks the configuration changed: the row bindings call it for each change they take. */
  readonly changed = (): void => {
    this.dirty = true;
  };
}
