/**
 * ModemManager through its command-line client, `mmcli -J` (JSON). One cached call per source
 * (modem list, modem, signal, bearer, SIM), shared by every object that needs it, so a
 * whole-tree Get runs each once. Extended signal readings need `--signal-setup=<rate>` once
 * per modem before `--signal-get` reports anything; that is issued on the first signal read.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { sourceError } from '../exec/CommandError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import type { MmcliBearer, MmcliList, MmcliModem, MmcliSignal, MmcliSim } from './mmcli-types.js';

export const MMCLI = 'mmcli';
/**
 * How long a state change may take: mmcli waits up to 120 s for a registration or a connection
 * (its own D-Bus timeouts), so the runner's usual limit would kill it half-way.
 */
const WRITE_TIMEOUT_MS = 125_000;

export interface MmcliOptions {
  /** How long status answers (list, modem, bearer, SIM) are reused, ms. */
  maxAgeMs: number;
  /** How long a signal reading is reused, ms: values move, so keep it short. */
  signalMaxAgeMs: number;
  /** Seconds between the modem's own signal measurements (`--signal-setup=<rate>`). */
  signalRate: number;
  log?: Logger;
}

export class Mmcli {
  /** Modems (by index) whose signal refresh was set up: at most once per modem. */
  private readonly signalSetup = new Map<string, Promise<void>>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly opts: MmcliOptions,
  ) {}

  /** D-Bus paths of the modems ModemManager knows. */
  async list(): Promise<string[]> {
    const out = await this.json<MmcliList>(['-L', '-J'], this.opts.maxAgeMs);
    return (out['modem-list'] ?? []).filter((p) => typeof p === 'string');
  }

  modem(index: string): Promise<MmcliModem> {
    return this.json(['-m', index, '-J'], this.opts.maxAgeMs);
  }

  bearer(index: string): Promise<MmcliBearer> {
    return this.json(['-b', index, '-J'], this.opts.maxAgeMs);
  }

  sim(index: string): Promise<MmcliSim> {
    return this.json(['-i', index, '-J'], this.opts.maxAgeMs);
  }

  /**
   * The modem's latest extended signal readings. Not every modem has the Signal interface: a
   * failure here is logged and reads as "no readings", so it cannot take the modem's other
   * values down with it.
   */
  async signal(index: string): Promise<MmcliSignal | undefined> {
    await this.setUpSignal(index);
    try {
      return await this.json<MmcliSignal>(['-m', index, '--signal-get', '-J'], this.opts.signalMaxAgeMs);
    } catch (e) {
      this.opts.log?.debug('no signal readings', { modem: index, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  /**
   * `mmcli -m M --create-bearer="key=value,..."`: the new bearer's D-Bus path, which mmcli prints
   * on the line after "Successfully created new bearer in modem:" (cli/mmcli-modem.c).
   */
  async createBearer(modem: string, properties: string): Promise<string> {
    // The properties hold the password: logs and error messages show the command without them.
    const out = await this.write(['-m', modem, `--create-bearer=${properties}`], `mmcli -m ${modem} --create-bearer=...`);
    const path = /\/org\/freedesktop\/ModemManager1\/Bearer\/\d+/.exec(out)?.[0];
    if (!path) throw new Error(`mmcli --create-bearer printed no bearer path: ${JSON.stringify(out.slice(0, 200))}`);
    return path;
  }

  /** `mmcli -m M --delete-bearer=B` (B: the bearer's index); ModemManager disconnects it first. */
  async deleteBearer(modem: string, bearer: string): Promise<void> {
    await this.write(['-m', modem, `--delete-bearer=${bearer}`]);
  }

  /** `mmcli -b B --connect` / `--disconnect`. */
  async connectBearer(bearer: string, connect: boolean): Promise<void> {
    await this.write(['-b', bearer, connect ? '--connect' : '--disconnect']);
  }

  /** `mmcli -m M --enable` / `--disable`. */
  async enableModem(modem: string, enable: boolean): Promise<void> {
    await this.write(['-m', modem, enable ? '--enable' : '--disable']);
  }

  /**
   * `mmcli -m M --3gpp-register-in-operator=MCCMNC`, or `--3gpp-register-home` for "" (automatic
   * registration: ModemManager registers with an empty operator id).
   */
  async register(modem: string, operatorCode: string): Promise<void> {
    await this.write(['-m', modem, operatorCode === '' ? '--3gpp-register-home' : `--3gpp-register-in-operator=${operatorCode}`]);
  }

  /**
   * `mmcli -m M --set-allowed-modes=3g|4g|5g [--set-preferred-mode=5g]` (without a preferred mode:
   * none, the modem chooses). mmcli takes a preferred mode only with the allowed ones.
   */
  async setModes(modem: string, allowed: readonly string[], preferred: string | undefined): Promise<void> {
    await this.write(['-m', modem, `--set-allowed-modes=${allowed.join('|')}`, ...(preferred === undefined ? [] : [`--set-preferred-mode=${preferred}`])]);
  }

  /** Forgets what belongs to modems no longer present (a re-plugged modem gets a new index). */
  retainModems(indices: ReadonlySet<string>): void {
    for (const i of [...this.signalSetup.keys()]) if (!indices.has(i)) this.signalSetup.delete(i);
  }

  private setUpSignal(index: string): Promise<void> {
    let setup = this.signalSetup.get(index);
    if (!setup) {
      setup = this.runner.run(MMCLI, ['-m', index, `--signal-setup=${this.opts.signalRate}`]).then(
        () => undefined,
        (e: unknown) => {
          this.opts.log?.warn('mmcli --signal-setup failed; RSRP/RSRQ/RSSI will read as unknown', {
            modem: index,
            error: e instanceof Error ? e.message : String(e),
          });
        },
      );
      this.signalSetup.set(index, setup);
    }
    return setup;
  }

  /**
   * Runs a command that changes ModemManager's state, uncached, then forgets every cached answer
   * (modem, bearer list and bearers all may have changed). A failure keeps mmcli's own message
   * ("error: couldn't create new bearer: '...'") for the Controller.
   */
  private async write(args: readonly string[], display?: string): Promise<string> {
    try {
      return await this.runner.run(MMCLI, args, { timeoutMs: WRITE_TIMEOUT_MS, ...(display === undefined ? {} : { display }) });
    } finally {
      this.runner.invalidate(MMCLI);
    }
  }

  private async json<T>(args: readonly string[], maxAgeMs: number): Promise<T> {
    try {
      return await this.runner.json<T>(MMCLI, args, maxAgeMs);
    } catch (e) {
      throw sourceError(e);
    }
  }
}
