/**
 * What every simulated TR-181 area shares: the seed, the clock, the device's identity (serial
 * number, MAC block, IMEI), the moment the simulated device booted and the store its
 * configuration persists in. Identities are drawn once from the seed, so the same seed always
 * yields the same device. A unit number (a fleet's gateway number), when given, makes the serial
 * number and the MAC block instead, so no two units of a fleet share them.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { Prng } from './random.js';

/**
 * A fictional OUI with the locally-administered bit set (0x0A = 0000 1010), so simulated MAC
 * addresses can never collide with real hardware on a lab network.
 */
export const SIM_OUI = '0A5F1E';

export interface Identity {
  serialNumber: string;
  hardwareVersion: string;
  /** 48-bit base of the device's MAC block; interfaces take consecutive addresses from it. */
  macBase: number;
  imei: string;
  imsi: string;
  iccid: string;
  msisdn: string;
}

export class SimContext {
  readonly identity: Identity;
  /** Wall-clock ms at which the simulated device booted (when the platform was registered). */
  readonly bootedAt: number;

  /**
   * Where writable values live: the agent's DataStore (so they survive a restart) or an
   * in-memory one. The agent loads its saved state only after the platform has registered, so
   * nothing may read the store at registration time and keep what it read: every read goes to it.
   */
  constructor(
    readonly model: DataModel,
    readonly seed: number,
    readonly now: () => number,
    readonly store: DataStore,
    unit?: number,
  ) {
    this.bootedAt = now();
    this.identity = drawIdentity(seed, unit);
  }

  /** Seconds since boot, fractional (for smooth measurements and counters). */
  elapsed(): number {
    return Math.max(0, (this.now() - this.bootedAt) / 1000);
  }

  /** Whole seconds since boot (Device.DeviceInfo.UpTime and every LastChange). */
  upTime(): number {
    return Math.floor(this.elapsed());
  }

  /** The `offset`-th address of the device's MAC block, "0a:5f:1e:xx:xx:xx". */
  mac(offset: number): string {
    return formatMac(this.identity.macBase + offset);
  }
}

/** Instance `n` (1-based) of a fixed table; a number the table never listed is 7016. */
export function nth<T>(items: readonly T[], n: number | undefined): T {
  const item = n === undefined ? undefined : items[n - 1];
  if (item === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
  return item;
}

/**
 * A 7012 Invalid Value for values the schema allows but this device cannot take, with one
 * ParamError per refused parameter (so Set can report them as param_errs).
 */
export function invalidParams(bad: ReadonlyArray<{ param: string; message: string }>): UspError {
  return new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), {
    paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })),
  });
}

export function formatMac(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** TR-106 dateTime of a wall-clock instant (datamodel's one formatter). */
export { dateTimeOf as dateTime } from '../../datamodel/value/Value.js';

/** Luhn check digit, used by IMEI (3GPP TS 23.003) and ICCID (ITU-T E.118). */
export function luhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** MAC blocks of 16 addresses in the OUI's 24 bits: units beyond this many share blocks again. */
export const MAC_BLOCKS = 0x100000;

function drawIdentity(seed: number, unit: number | undefined): Identity {
  if (unit !== undefined && !(Number.isSafeInteger(unit) && unit >= 0)) throw new Error(`simulated unit number ${unit}: must be a whole number >= 0`);
  const rnd = new Prng(seed, 'identity');
  // Vendor-style serial: prefix, production year and week, then a unit number. The draws happen
  // with or without `unit`, so the values drawn after them stay those of the seed.
  const year = rnd.int(22, 25);
  const week = String(rnd.int(1, 52)).padStart(2, '0');
  const drawnUnit = rnd.int(0, 0xffffff);
  const drawnBlock = rnd.int(0, MAC_BLOCKS - 1);
  // A drawn 24-bit unit number repeats in a large fleet (birthday bound: a few in 10,000); the
  // given one is written in full (6 hex digits or more), so distinct units give distinct serials.
  const unitNo = (unit ?? drawnUnit).toString(16).toUpperCase().padStart(6, '0');
  // A 16-aligned block inside our OUI, so offsets 0..15 share the upper bits like a real CPE's.
  // A unit takes block `unit` (modulo MAC_BLOCKS): distinct for the first 1,048,576 units.
  const block = unit === undefined ? drawnBlock : unit % MAC_BLOCKS;
  const macBase = parseInt(SIM_OUI, 16) * 0x1000000 + block * 16;
  // Reporting body "00" is the GSMA test range: a made-up IMEI that cannot be a real handset's.
  const imeiBody = `00${rnd.digits(6)}${rnd.digits(6)}`;
  // MCC 001 / MNC 01 is the 3GPP test network; ICCID 89 (telecom) + 001 (test) + issuer digits.
  const iccidBody = `8900101${rnd.digits(11)}`;
  return {
    serialNumber: `EXN${year}${week}${unitNo}`,
    hardwareVersion: `FG5-${rnd.pick(['A1', 'A2', 'B1'])}`,
    macBase,
    imei: imeiBody + luhn(imeiBody),
    imsi: `00101${rnd.digits(10)}`,
    iccid: iccidBody + luhn(iccidBody),
    msisdn: `99900${rnd.digits(10)}`,
  };
}

/**
 * What an instance of WritableRows reads as until written: a function of the keys, or one row
 * for every instance (a module constant, so a fleet's gateways share it: issue 14).
 */
export type RowInitial = ((keys: InstanceKeys) => Record<string, Value>) | Readonly<Record<string, Value>>;

/**
 * Writable parameters of each instance, persisted in the context's store under the object's
 * concrete path ("Device.WiFi.SSID.2."). Only values a Controller (or the factory-defaults
 * file) wrote are stored; the rest come from `initial`, a function of the seed and the keys
 * (called at every read: it must not depend on anything that changes), so a stored row never
 * pins values nobody chose. A subclass may override `initialRow` instead of passing a function:
 * one method on the prototype for a whole fleet rather than a closure per gateway (issue 14).
 */
export class WritableRows {
  private readonly node: ModelNode;

  constructor(
    private readonly ctx: SimContext,
    supportedPath: string,
    private readonly initial: RowInitial,
  ) {
    this.node = ctx.model.requireNode(supportedPath);
  }

  /** A fresh row of the values instance `keys` has until written. */
  protected initialRow(keys: InstanceKeys): Record<string, Value> {
    const initial = this.initial;
    return typeof initial === 'function' ? initial(keys) : { ...initial };
  }

  /** The current values (a fresh object: change them with `apply`). */
  row(keys: InstanceKeys): Record<string, Value> {
    const path = this.node.pathOf(keys);
    // Made again on every read, not kept: `initial` is a function of the seed and the keys, and a
    // fleet of 10,000 gateways kept ~10 KB of such copies per gateway for rows rarely read (issue 14).
    const row = this.initialRow(keys);
    // Names this version no longer serves (a state file from an older one) are ignored.
    for (const [k, v] of Object.entries(this.ctx.store.row(path) ?? {})) if (k in row) row[k] = v;
    return row;
  }

  apply(keys: InstanceKeys, changes: Record<string, Value>): void {
    const path = this.node.pathOf(keys);
    this.ctx.store.setRow(path, { ...(this.ctx.store.row(path) ?? {}), ...changes });
  }
}

/**
 * Up/down history of one interface: LastChange, and the seconds it has been up, so its
 * traffic counters stand still while a Controller has it disabled instead of jumping.
 *
 * `initial` may be a function of the (persisted) configuration, e.g. "Enable is true": until
 * the first setUp the clock follows it, because the saved configuration is loaded after the
 * platform registers. Call setUp *before* applying the change to what `initial` reads.
 */
export class LinkClock {
  /**
   * Undefined until the first setUp: the state then follows `initial`, as it was at boot, and
   * it last changed `upDelayMs` after boot. No wall-clock time is kept until then: each would
   * be a boxed number, and a fleet gateway read whole has some forty clocks (issue 14).
   */
  private state: { downSince: number | undefined; downTotal: number; changedAt: number } | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly initial: boolean | (() => boolean),
    private readonly upDelayMs = 0,
  ) {}

  protected initialUp(): boolean {
    return typeof this.initial === 'function' ? this.initial() : this.initial;
  }

  get up(): boolean {
    return this.state ? this.state.downSince === undefined : this.initialUp();
  }

  /** Wall-clock ms of the last status change (or of coming up at boot). */
  get changedAtMs(): number {
    return this.state ? this.state.changedAt : this.ctx.bootedAt + this.upDelayMs;
  }

  setUp(up: boolean): void {
    if (up === this.up) return;
    const s = (this.state ??= { downSince: this.initialUp() ? undefined : this.ctx.bootedAt, downTotal: 0, changedAt: 0 });
    const now = this.ctx.now();
    if (up) s.downTotal += now - (s.downSince ?? now);
    s.downSince = up ? undefined : now;
    s.changedAt = now;
  }

  /** Seconds since the last status change (TR-181 LastChange). */
  lastChange(): number {
    return Math.max(0, Math.floor((this.ctx.now() - this.changedAtMs) / 1000));
  }

  /** Seconds spent up since boot. */
  upSeconds(): number {
    const now = this.ctx.now();
    if (!this.state) return this.initialUp() ? Math.max(0, (now - this.ctx.bootedAt) / 1000) : 0;
    const down = this.state.downTotal + (this.state.downSince === undefined ? 0 : now - this.state.downSince);
    return Math.max(0, (now - this.ctx.bootedAt - down) / 1000);
  }
}

/**
 * The LinkClock of an interface that is up at boot while its row `n` of `rows` has Enable true
 * (and it is `present`: a port with a cable). The common case, without a closure and its
 * context per clock: a fleet gateway has some twenty of them (issue 14).
 */
export class EnableClock extends LinkClock {
  constructor(
    ctx: SimContext,
    private readonly rows: WritableRows,
    private readonly n: number,
    upDelayMs = 0,
    private readonly present = true,
  ) {
    super(ctx, false, upDelayMs);
  }

  protected override initialUp(): boolean {
    return this.present && this.rows.row([this.n]).Enable === true;
  }
}
