/**
 * Which Device.Ethernet.Link.{i} rows exist, on platforms where a Link is a data-model layer over
 * one device the platform already has (a Linux netdev, a netifd device) and creates none: TR-181
 * EthernetLink:1 with createDelete, shared by the Linux and OpenWrt bindings.
 *
 * Every eligible device gets a Link the agent finds ("discovered", numbered in the order the
 * platform lists its devices). A Controller may delete one: the device's name goes into a kept
 * set and its Link stays gone, also after a restart, while a device that appears later still gets
 * its own. A Controller may add a Link over a device that has none (one Link per device: IP
 * interfaces name a device through its Link, so two would be two names for one thing), or on no
 * device yet (TR-181: a row whose LowerLayers is empty, Down until it is given one). Added rows
 * are kept with their number, device and Enable; their Alias the agent keeps for every table
 * (stored-alias.ts).
 *
 * References to a deleted Link need no clearing of their own: IP.Interface.LowerLayers and the
 * InterfaceStack are read from these rows, so they stop naming it at once.
 *
 * State lives in one store row (`Device.Ethernet.`, agent-only `$` keys), the only copy: a failed
 * save that puts the store back puts these rows back too. Without a store it lasts until the
 * agent stops. Instance numbers come from one InstanceMap: added rows claim their kept numbers
 * before the devices are numbered, so both keep theirs across a restart when the devices do.
 */
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { DataStore } from '../datamodel/store/DataStore.js';
import { InstanceMap } from '../datamodel/tree/InstanceMap.js';
import type { Value } from '../datamodel/value/Value.js';

/** The store row holding the Links a Controller added and the devices whose Link it deleted. */
export const LINK_STATE_ROW = 'Device.Ethernet.';
const ADDED_KEY = '$linksAdded';
const DELETED_KEY = '$linksDeleted';
/** Links a Controller may add (7005 beyond): the store row holds them all. */
export const MAX_ADDED_LINKS = 32;
/** Devices whose Link stays deleted; the oldest is forgotten beyond (its device gets a Link again). */
export const MAX_DELETED_LINKS = 256;

/** One Link row: its number, the device it names (undefined: none yet), and whether a Controller added it. */
export interface LinkRow {
  n: number;
  dev: string | undefined;
  added: boolean;
  /** An added row's own Enable (what it reads while it names no device). */
  enable: boolean;
}

interface AddedRow {
  dev: string;
  enable: boolean;
}

interface State {
  added: ReadonlyMap<number, AddedRow>;
  deleted: ReadonlySet<string>;
}

/** What a Delete took away, for a rolled-back transaction. */
export interface LinkDeletion {
  n: number;
  added?: AddedRow;
  deletedDev?: string;
}

export class EthernetLinkRows {
  private readonly numbers = new InstanceMap();
  /** Without a store: the state itself. */
  private memory: Record<string, Value> = {};
  /** The last parse, valid while the store row is the same object (a write replaces it). */
  private parsed: { from: unknown; state: State } | undefined;
  private fresh = 0;

  constructor(private readonly store?: DataStore) {}

  private raw(): Readonly<Record<string, Value>> {
    return this.store ? (this.store.row(LINK_STATE_ROW) ?? {}) : this.memory;
  }

  private state(): State {
    const raw = this.raw();
    if (this.parsed?.from === raw) return this.parsed.state;
    const added = new Map<number, AddedRow>();
    for (const item of parseList(raw[ADDED_KEY])) {
      if (!Array.isArray(item)) continue;
      const [n, dev, enable] = item as unknown[];
      // A number another key holds now cannot be this row's: left out rather than shown twice.
      if (typeof n === 'number' && typeof dev === 'string' && this.numbers.claim(`added:${n}`, n)) added.set(n, { dev, enable: enable === true });
    }
    const deleted = new Set(parseList(raw[DELETED_KEY]).filter((d): d is string => typeof d === 'string'));
    const state = { added, deleted };
    this.parsed = { from: raw, state };
    return state;
  }

  private save(added: ReadonlyMap<number, AddedRow>, deleted: ReadonlySet<string>): void {
    const row: Record<string, Value> = {
      ...this.raw(),
      [ADDED_KEY]: JSON.stringify([...added].map(([n, r]) => [n, r.dev, r.enable])),
      [DELETED_KEY]: JSON.stringify([...deleted].slice(-MAX_DELETED_LINKS)),
    };
    if (this.store) this.store.setRow(LINK_STATE_ROW, row);
    else this.memory = row;
  }

  /** The rows over `devices` (the platform's eligible devices, in its order) and the added ones, by number. */
  rows(devices: readonly string[]): LinkRow[] {
    const { added, deleted } = this.state();
    const covered = new Set([...added.values()].map((r) => r.dev));
    const out: LinkRow[] = [];
    for (const dev of devices) {
      // Numbered also while hidden, so the others get the numbers they had before a Delete, after a restart too.
      const n = this.numbers.numberOf(`dev:${dev}`);
      if (!deleted.has(dev) && !covered.has(dev)) out.push({ n, dev, added: false, enable: true });
    }
    for (const [n, r] of added) out.push({ n, dev: r.dev === '' ? undefined : r.dev, added: true, enable: r.enable });
    return out.sort((a, b) => a.n - b.n);
  }

  /** Row `n`, or 7016 when it is not there now. */
  row(n: number | undefined, devices: readonly string[]): LinkRow {
    const r = this.rows(devices).find((x) => x.n === n);
    if (!r) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.Ethernet.Link.${n ?? ''}`);
    return r;
  }

  /** The number of the Link over device `dev`, if it has one. */
  linkOf(dev: string, devices: readonly string[]): number | undefined {
    return this.rows(devices).find((r) => r.dev === dev)?.n;
  }

  /** A new added row; the caller has checked its device (checkFree). */
  add(dev: string | undefined, enable: boolean): number {
    const { added, deleted } = this.state();
    if (added.size >= MAX_ADDED_LINKS) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_ADDED_LINKS} Device.Ethernet.Link rows can be added on this device`);
    const tmp = `new:${this.fresh++}`;
    const n = this.numbers.numberOf(tmp);
    this.numbers.rekey([[tmp, `added:${n}`]]);
    const next = new Map(added).set(n, { dev: dev ?? '', enable });
    this.save(next, deleted);
    return n;
  }

  /** Changes an added row's device or Enable. */
  update(n: number, change: { dev?: string | undefined; enable?: boolean }): void {
    const { added, deleted } = this.state();
    const r = added.get(n);
    if (!r) return;
    const dev = 'dev' in change ? (change.dev ?? '') : r.dev;
    this.save(new Map(added).set(n, { dev, enable: change.enable ?? r.enable }), deleted);
  }

  /** Deletes row `n` (an added one goes; a discovered one's device is kept as deleted). */
  delete(row: LinkRow): LinkDeletion {
    const { added, deleted } = this.state();
    if (row.added) {
      const was = added.get(row.n);
      const next = new Map(added);
      next.delete(row.n);
      this.save(next, deleted);
      this.numbers.retire(`added:${row.n}`);
      return { n: row.n, added: was };
    }
    if (row.dev === undefined) return { n: row.n };
    this.save(added, new Set(deleted).add(row.dev));
    return { n: row.n, deletedDev: row.dev };
  }

  /** Undoes a Delete (a rolled-back transaction): the row is back under its number. */
  restore(d: LinkDeletion): void {
    const { added, deleted } = this.state();
    if (d.added) {
      this.numbers.claim(`added:${d.n}`, d.n);
      this.save(new Map(added).set(d.n, d.added), deleted);
    } else if (d.deletedDev !== undefined) {
      const next = new Set(deleted);
      next.delete(d.deletedDev);
      this.save(added, next);
    }
  }

  /**
   * 7012 unless device `dev` can carry row `n`'s Link (0: one being added): it has no Link of
   * another row. `ref` is the LowerLayers value, for the message.
   */
  checkFree(n: number, dev: string, ref: string, devices: readonly string[]): void {
    const other = this.rows(devices).find((r) => r.dev === dev && r.n !== n);
    if (other) throw invalidLowerLayers(`${ref} carries Device.Ethernet.Link.${other.n} already (one Link per lower layer)`);
  }
}

/** Deletes kept for a rollback (a transaction's restore), the newest MAX_KEPT_DELETIONS. */
const MAX_KEPT_DELETIONS = 64;

/** The Deletes of a transaction that may still roll back, by instance number. */
export class LinkDeletions {
  private readonly kept = new Map<number, LinkDeletion>();

  constructor(private readonly rows: EthernetLinkRows) {}

  keep(d: LinkDeletion): void {
    this.kept.delete(d.n);
    if (this.kept.size >= MAX_KEPT_DELETIONS) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(d.n, d);
  }

  /** A rolled-back Delete of row `n`: the row comes back. */
  restore(n: number): void {
    const d = this.kept.get(n);
    if (!d) return;
    this.kept.delete(n);
    this.rows.restore(d);
  }
}

/** 7012 on LowerLayers, with the reason in its parameter error (TR-369 Add/Set failures name the parameter). */
export function invalidLowerLayers(message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `LowerLayers: ${message}`, { paramErrors: [{ param: 'LowerLayers', message, code: ErrorCode.InvalidValue }] });
}

function parseList(v: Value | undefined): unknown[] {
  if (typeof v !== 'string') return [];
  try {
    const out: unknown = JSON.parse(v);
    return Array.isArray(out) ? out : [];
  } catch {
    return [];
  }
}
