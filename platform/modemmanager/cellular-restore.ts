/**
 * Puts back on ModemManager what a Controller wrote and ModemManager forgot (kept-cellular.ts):
 * the access points whose bearers are gone (bearer-access-points.ts restore) and each modem's
 * NetworkRequested (`--3gpp-register-in-operator`, unless the modem is registered with that
 * operator already).
 *
 * When: once the agent's store is loaded (the agent started: after a reboot ModemManager has
 * none of it), and whenever a modem looks different from the last look (a restart of
 * ModemManager or a re-probe of the modem gives it a new index or, the index counting from 0
 * again, another bearer list). The modem list is looked at on every read of Device.Cellular
 * (cellular.ts calls `seen`) and, while something is kept, every CHECK_MS in the background,
 * so a restart nobody reads about is still noticed. A ModemManager that does not answer is
 * looked at again at the next check; what it refuses is logged, not retried until the modem
 * changes again.
 */
import type { Logger } from '../../datamodel/Logger.js';

/** Between background looks at the modem list while something is kept, ms: one `mmcli -L` and one `-m` per modem. */
export const CHECK_MS = 60_000;

/** A modem as the restore needs it. */
export interface RestoreModem {
  /** ModemManager's index now. */
  index: string;
  /** Stable key: the physical device path. */
  key: string;
  /** The operator it is registered with now (MCC+MNC), if any. */
  operatorCode: string | undefined;
  /** Its bearers' D-Bus paths now. */
  bearers: readonly string[];
}

export interface RestoreSources {
  /** Every modem now (throws when ModemManager does not answer). */
  modems(): Promise<RestoreModem[]>;
  /** NetworkRequested kept for modem `key` ("" none). */
  networkRequested(key: string): string;
  /** Whether anything is kept at all (no background look otherwise). */
  anythingKept(): boolean;
  register(index: string, operatorCode: string): Promise<void>;
  /** Makes the modem's lost access points again (absent where AccessPoint is not ModemManager's); whether it had to make one. */
  restoreBearers?(modem: RestoreModem): Promise<boolean>;
  log?: Logger;
}

/** What the restore last saw of a modem: a change is what sends it to work. */
const lookOf = (m: RestoreModem): string => `${m.index} ${m.bearers.join(' ')}`;

export class CellularRestore {
  private loaded = false;
  /** Modem key → its look when last restored. As many entries as modems (a gateway has one or two). */
  private readonly looked = new Map<string, string>();
  /** Modem key → the index it had when its NetworkRequested was last asked for again. */
  private readonly registeredAt = new Map<string, string>();
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly src: RestoreSources,
    private readonly checkMs = CHECK_MS,
  ) {}

  /** The store is loaded: restores every modem present, then keeps looking. */
  async stateLoaded(): Promise<void> {
    this.loaded = true;
    await this.check();
    this.timer = setInterval(() => {
      if (this.src.anythingKept()) void this.check();
    }, this.checkMs);
    this.timer.unref();
  }

  /** A read listed the modems: one that looks different is restored (after the read: never inside it). */
  seen(modems: readonly RestoreModem[]): void {
    if (this.loaded && modems.some((m) => this.looked.get(m.key) !== lookOf(m))) void this.check();
  }

  /** Looks at the modems and restores those that changed; one look at a time. Never rejects. */
  check(): Promise<void> {
    this.running = this.running.then(() => this.look()).catch((e: unknown) => this.src.log?.warn('cellular restore failed', { why: e instanceof Error ? e.message : String(e) }));
    return this.running;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    let modems: RestoreModem[];
    try {
      modems = await this.src.modems();
    } catch {
      // ModemManager does not answer (restarting): the next look finds it back.
      return;
    }
    const here = new Set(modems.map((m) => m.key));
    for (const key of [...this.looked.keys()]) if (!here.has(key)) this.looked.delete(key);
    for (const key of [...this.registeredAt.keys()]) if (!here.has(key)) this.registeredAt.delete(key);
    for (const m of modems) {
      if (this.looked.get(m.key) === lookOf(m)) continue;
      // The look before the restore: the bearers it makes change the look once more, and that next
      // restore finds nothing missing. A look taken after it could hide a restart during it.
      this.looked.set(m.key, lookOf(m));
      await this.restore(m);
    }
  }

  /**
   * The access points first: one ModemManager lost says it restarted. NetworkRequested is asked
   * for again then, or when the modem has a new index, unless it is registered there already: a
   * network that is not available is not asked for at every change of the bearers.
   */
  private async restore(m: RestoreModem): Promise<void> {
    const lostBearers = (await this.src.restoreBearers?.(m)) ?? false;
    const code = this.src.networkRequested(m.key);
    const again = lostBearers || this.registeredAt.get(m.key) !== m.index;
    this.registeredAt.set(m.key, m.index);
    if (code !== '' && code !== m.operatorCode && again) {
      await this.src.register(m.index, code).then(
        () => this.src.log?.info('NetworkRequested applied again', { modem: m.key, NetworkRequested: code }),
        (e: unknown) =>
          this.src.log?.warn('NetworkRequested not applied again: ModemManager refused the registration', { modem: m.key, NetworkRequested: code, why: e instanceof Error ? e.message : String(e) }),
      );
    }
  }
}
