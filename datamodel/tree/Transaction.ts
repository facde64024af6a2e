/**
 * Set/Add/Delete as a transaction (TR-369 R-SET.2a, R-ADD.2a, allow_partial): every change is
 * applied at once and remembered with its undo; a failure rolls back to a savepoint (one
 * obj_path with allow_partial=true) or entirely. Change notifications and persistence happen
 * only on commit, so subscribers never see a change that was undone.
 */
import { ErrorCode, UspError } from '../UspError.js';
import type { Value } from '../value/Value.js';
import type { InstanceKeys, RequestContext } from './binding.js';
import type { Change } from './ChangeFeed.js';
import type { DataModel } from './DataModel.js';
import type { ModelNode, ObjectInstance } from './ModelNode.js';

/** An undo, and whether it restores a stored binding (those the store puts back itself after a failed save). */
interface Undo {
  run: () => unknown;
  stored: boolean;
}

export class Transaction {
  private readonly undos: Undo[] = [];
  private changes: Change[] = [];
  private done = false;
  /** Held from the first change to commit/rollback (see WriteLock); undefined while read-only. */
  private release?: () => void;

  constructor(
    private readonly model: DataModel,
    readonly ctx: RequestContext,
  ) {}

  private async lock(): Promise<void> {
    if (this.done) throw new Error('transaction already ended');
    this.release ??= await this.model.writeLock.acquire();
  }

  private unlock(): void {
    this.release?.();
    this.release = undefined;
  }

  /** Runs `fn` in a transaction: committed if it returns, rolled back if it throws. */
  static async run<T>(model: DataModel, ctx: RequestContext, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = new Transaction(model, ctx);
    try {
      const out = await fn(tx);
      await tx.commit();
      return out;
    } catch (e) {
      await tx.rollback();
      throw e;
    }
  }

  private undo(run: () => unknown, stored = false): void {
    this.undos.push({ run, stored });
  }

  /** A point to roll back to; pass it to rollbackTo. */
  savepoint(): number {
    return this.undos.length;
  }

  /** Sets already-validated values on one instance, remembering the old ones. */
  async set(inst: ObjectInstance, values: Record<string, Value>): Promise<void> {
    await this.lock();
    const b = this.model.bindingOf(inst.node);
    if (!b?.set) throw new UspError(ErrorCode.ObjectNotUpdated, `${inst.node.pathOf(inst.keys)} cannot be updated`);
    const before = await b.get(inst.keys, this.ctx);
    await b.set(inst.keys, values, this.ctx);
    // After set: a binding may have added the changes its change implies (ObjectBinding.set), and
    // those are undone (and reported) with the rest.
    const old: Record<string, Value> = {};
    for (const k of Object.keys(values)) if (before[k] !== undefined) old[k] = before[k];
    this.undo(() => b.set!(inst.keys, old, this.ctx), b.stored);
    const path = inst.node.pathOf(inst.keys);
    const mark = this.changes.length;
    for (const [param, value] of Object.entries(values)) {
      if (before[param] !== value) this.changes.push({ kind: 'value', inst, path, param, value });
    }
    const changes = this.changes;
    this.undo(() => {
      changes.length = Math.min(changes.length, mark);
    });
    // Only a change to a key parameter can break uniqueness; skip the sibling scan otherwise.
    const keys = inst.node.def.uniqueKeys;
    if (keys && keys.some((k) => k.params.some((p) => p in values))) await this.checkUniqueKeys(inst);
  }

  /**
   * Creates an instance of table `node` under `parentKeys`; unique keys the caller left out are
   * generated (R-ADD.5), then every key set is checked against the siblings (7025).
   */
  async add(node: ModelNode, parentKeys: InstanceKeys, params: Record<string, Value>, requested?: number): Promise<ObjectInstance> {
    await this.lock();
    const b = this.model.bindingOf(node);
    // TR-181 access binds controllers (handle-add refuses them 7019); the agent itself may create
    // rows of readOnly tables, e.g. Device.UnixDomainSockets.UnixDomainSocket.{i} from its defaults.
    if (!node.multi || !b?.add) {
      throw new UspError(ErrorCode.ObjectNotCreatable, `${node.supportedPath} is not creatable`);
    }
    const max = node.def.maxEntries;
    if (max !== undefined && (await this.model.listInstances(node, parentKeys, this.ctx)).length >= max) {
      throw new UspError(ErrorCode.ResourcesExceeded, `${node.tablePathOf(parentKeys)} is full (${max} entries)`);
    }
    const n = await b.add(parentKeys, params, this.ctx, requested);
    const inst: ObjectInstance = { node, keys: [...parentKeys, n] };
    this.undo(() => b.delete?.(inst.keys, this.ctx), b.stored);
    const generated = generateMissingKeys(node, n, params);
    if (Object.keys(generated).length > 0) await b.set?.(inst.keys, generated, this.ctx);
    const mark = this.changes.length;
    this.changes.push({ kind: 'created', inst, path: node.pathOf(inst.keys) });
    const changes = this.changes;
    this.undo(() => {
      changes.length = Math.min(changes.length, mark);
    });
    await this.checkUniqueKeys(inst);
    return inst;
  }

  /** Deletes one instance; stored rows come back whole if the transaction rolls back. */
  async delete(inst: ObjectInstance): Promise<void> {
    await this.lock();
    const b = this.model.bindingOf(inst.node);
    if (!inst.node.multi || !b?.delete || inst.node.def.access !== 'readWrite') {
      throw new UspError(ErrorCode.DeleteFailure, `${inst.node.pathOf(inst.keys)} is not deletable`);
    }
    const snap = b.snapshot?.(inst.keys);
    await b.delete(inst.keys, this.ctx);
    if (b.restore) this.undo(() => b.restore!(inst.keys, snap), b.stored);
    const mark = this.changes.length;
    this.changes.push({ kind: 'deleted', inst, path: inst.node.pathOf(inst.keys) });
    const changes = this.changes;
    this.undo(() => {
      changes.length = Math.min(changes.length, mark);
    });
    // Rows that must not outlive this one go with it, undone together if the transaction fails.
    for (const cascade of this.model.deleteCascades(inst.node)) await cascade(inst, this);
  }

  /** Undoes everything after `savepoint`, newest first. */
  async rollbackTo(savepoint: number): Promise<void> {
    while (this.undos.length > savepoint) {
      const undo = this.undos.pop()!;
      try {
        await undo.run();
      } catch {
        /* keep undoing the rest: a half-undone row is worse */
      }
    }
  }

  async rollback(): Promise<void> {
    try {
      await this.rollbackTo(0);
    } finally {
      this.changes = [];
      this.done = true;
      this.unlock();
    }
  }

  /** Makes the changes durable (commit hooks, e.g. the store's flush) and tells subscribers. */
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    // The hooks snapshot the committed state now, under the lock; the next writer may start
    // while this snapshot is written, and this commit resolves once it is on disk.
    const saved = this.undos.length > 0 ? this.model.runCommitHooks() : Promise.resolve();
    this.unlock();
    try {
      await saved;
    } catch (e) {
      await this.undoUnsaved();
      throw new UspError(ErrorCode.InternalError, `the change could not be saved, so it was not made: ${e instanceof Error ? e.message : String(e)}`);
    }
    const by = this.ctx.triggeredBy;
    for (const c of this.changes) this.model.changes.emit(by ? { ...c, triggeredBy: by } : c);
  }

  /**
   * The save of this commit failed (disk full, data directory gone or read-only): take the
   * change back out of the live model, under the write lock again, so the 7003 answer, the model
   * and the disk agree. Stored values go back to what is saved (the store knows them; undoing them
   * here could restore another failed commit's values); live bindings (platform settings) run
   * their undo. Subscribers were not told yet, and are not.
   */
  private async undoUnsaved(): Promise<void> {
    this.release = await this.model.writeLock.acquire();
    try {
      while (this.undos.length > 0) {
        const undo = this.undos.pop()!;
        if (undo.stored) continue;
        try {
          await undo.run();
        } catch {
          /* keep undoing the rest */
        }
      }
      this.model.revertFailedCommit();
    } finally {
      this.changes = [];
      this.unlock();
    }
  }

  /**
   * 7025 when another instance of the table holds one of `inst`'s unique keys (TR-181 unique
   * keys; TR-369 R-ADD.5). A binding that can find rows by value (findByValues) answers
   * without reading every sibling, so the check costs the same at 10 rows and at 10,000.
   */
  private async checkUniqueKeys(inst: ObjectInstance): Promise<void> {
    const keySets = inst.node.def.uniqueKeys;
    if (!keySets || !inst.node.multi) return;
    const b = this.model.bindingOf(inst.node);
    const parentKeys = inst.keys.slice(0, -1);
    const own = inst.keys[inst.keys.length - 1];
    const mine = await this.model.readValues(inst, this.ctx);
    let siblings: number[] | undefined;
    for (const set of keySets) {
      if (!set.params.every((p) => inst.node.params.has(p))) continue;
      const found = await b?.findByValues?.(parentKeys, set.params, mine);
      let clash: number | undefined;
      if (found) {
        clash = found.find((n) => n !== own);
      } else {
        siblings ??= (await this.model.listInstances(inst.node, parentKeys, this.ctx)).filter((n) => n !== own);
        for (const n of siblings) {
          const other = await this.model.readValues({ node: inst.node, keys: [...parentKeys, n] }, this.ctx);
          if (set.params.every((p) => other[p] === mine[p])) {
            clash = n;
            break;
          }
        }
      }
      if (clash !== undefined) {
        throw new UspError(ErrorCode.DuplicateUniqueKey, `unique key ${set.params.join('+')} already used by ${inst.node.pathOf([...parentKeys, clash])}`, { path: inst.node.pathOf(inst.keys) });
      }
    }
  }
}

/**
 * Values for unique-key parameters the controller did not give: Alias gets "cpe-N" (TR-181
 * Alias convention), other writable string keys a value unique to this instance.
 */
function generateMissingKeys(node: ModelNode, n: number, given: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const set of node.def.uniqueKeys ?? []) {
    for (const name of set.params) {
      const p = node.params.get(name);
      // A key with a schema default (PortMapping.RemoteHost "" = any host) keeps it: only keys
      // that would otherwise be empty and clash are generated.
      if (!p || p.type !== 'string' || p.access === 'readOnly' || p.default !== undefined) continue;
      if (given[name] !== undefined && given[name] !== '') continue;
      // A key whose schema patterns only take one form (Ethernet.Link.MACAddress, an IPv4
      // address) cannot be made up: it stays empty for the binding to give or refuse.
      if (name !== 'Alias' && p.patterns?.some((re) => re !== '')) continue;
      out[name] = name === 'Alias' ? `cpe-${n}` : `${n}-${Date.now().toString(36)}`;
    }
  }
  return out;
}
