/**
 * Device.Firewall.Level.{i}., Chain.{i}. and Chain.{i}.Rule.{i}. on generic Linux (TR-181
 * AdvancedFirewall:1): tables a Controller adds to and deletes from, kept in the agent's store
 * (so they are compiled again at start) and put into effect by LinuxFirewall when Config is
 * Advanced (firewall-advanced-rules.ts says what they become in nftables).
 *
 * - A Level added gets a Chain of its own at once (TR-181 Level.Chain: "the device will
 *   automatically create a new Chain"), enabled, Creator ACS. Deleting the Level deletes that
 *   Chain with it unless it still holds Rules or a Rule jumps to it.
 * - Every change is written to the kernel before it is answered when it touches the active
 *   Level (the table is rewritten whole; nft refusing it answers 7003 and the store is put back).
 * - Refused with 7012: a Rule whose interface names no IP.Interface row, an impossible port
 *   range or protocol, a TargetChain that is no Chain or that makes Chains jump in a loop,
 *   DefaultLogPolicy true (the agent keeps no packet log). Refused with 7024: deleting the
 *   Level AdvancedLevel names while Config is Advanced, or the Chain a Level uses.
 * - Rule Order (TR-106 Order): rules apply lowest Order first. A Rule given an Order another
 *   Rule of its Chain holds goes before it, and that one and every later one move down by one
 *   (deletions leave gaps: the order of the rest is unchanged).
 * - Interfaces are kept as written with the kernel device beside (`$...Device` keys, like NAT):
 *   the rules match by device name, and a read gives the path of that device's row now.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, publicValues, type BadParam, type Row, StoredTable } from '../stored-table.js';
import { chainOf, jumpsLoop, RULE_PARAMS, ruleProblems } from '../firewall-rule-checks.js';
import { misconfigured, type AdvancedChain, type AdvancedPlan, type AdvancedRule } from './firewall-advanced-rules.js';
import { isIfName } from './firewall-rules.js';
import type { IpInterfaceNames } from './nat.js';

const LEVEL = 'Device.Firewall.Level.{i}.';
const CHAIN = 'Device.Firewall.Chain.{i}.';
const RULE = 'Device.Firewall.Chain.{i}.Rule.{i}.';
const LEVEL_PARAMS = ['Alias', 'Name', 'Description', 'Order', 'Chain', 'PortMappingEnabled', 'DefaultPolicy', 'DefaultLogPolicy'] as const;
const LEVEL_WRITABLE = ['Alias', 'Name', 'Description', 'Order', 'PortMappingEnabled', 'DefaultPolicy', 'DefaultLogPolicy'] as const;
const CHAIN_PARAMS = ['Enable', 'Alias', 'Name', 'Creator'] as const;
const CHAIN_WRITABLE = ['Enable', 'Alias', 'Name'] as const;
/** The Rule parameters nftables can express on this kernel (firewall-advanced-rules.ts). */
const RULE_WRITABLE = RULE_PARAMS.filter((p) => p !== 'Status');
const LIVE_STATUS: ReadonlySet<string> = new Set(['Status']);
const LIVE_CHAIN: ReadonlySet<string> = new Set(['Chain']);
/** Kept beside a Level row: the instance of its Chain. Beside a Rule row: the devices of its interfaces. */
const CHAIN_KEY = '$chain';
const SOURCE_DEVICE = '$sourceDevice';
const DEST_DEVICE = '$destDevice';
/** Beside a Rule row: when its Order was last written (a counter), so it wins a tie until the others move. */
const ORDERED = '$ordered';
const MAX_LEVELS = 8;
const MAX_CHAINS = 32;
const MAX_RULES = 64;

export interface AdvancedFirewallOptions {
  model: DataModel;
  store: DataStore;
  interfaces: IpInterfaceNames;
  /** The Level Config Advanced puts into effect now (its reference), or undefined. */
  activeLevel(): string | undefined;
  /** Rewrites the agent's table from the store; rejects with UspError when the kernel refuses it. */
  write(): Promise<void>;
  /** A Level, Chain or Rule changed and took effect (Device.Firewall.LastChange). */
  changed(): void;
}

const nextOrder = (rows: Array<[number, Row]>): number => Math.max(0, ...rows.map(([, r]) => Number(r.Order ?? 0))) + 1;

/** The three tables of the Advanced firewall (see the file comment). */
export class AdvancedFirewallTables {
  private levelNode!: ModelNode;
  private chainNode!: ModelNode;
  private ruleNode!: ModelNode;
  private levels!: StoredTable;
  private chains!: StoredTable;
  private rules!: StoredTable;

  constructor(private readonly opts: AdvancedFirewallOptions) {}

  register(): void {
    const { model, store } = this.opts;
    this.levelNode = model.requireNode(LEVEL);
    this.chainNode = model.requireNode(CHAIN);
    this.ruleNode = model.requireNode(RULE);
    const apply = (): Promise<void> => this.apply();
    this.levels = new LevelTable(this, store, this.levelNode, {
      params: LEVEL_PARAMS,
      writable: LEVEL_WRITABLE,
      live: LIVE_CHAIN,
      max: MAX_LEVELS,
      defaults: { DefaultPolicy: 'Drop' },
      initial: () => ({ Order: nextOrder(this.levels.rows([])) }),
      check: (_keys, merged) => {
        if (merged.DefaultLogPolicy === true) throw invalid([{ param: 'DefaultLogPolicy', message: 'this device keeps no log of dropped packets: false only' }]);
        return merged;
      },
      read: (keys, row) => ({ ...publicValues(row), Chain: this.levelChain(keys[0]!) === undefined ? '' : this.chainNode.pathOf([this.levelChain(keys[0]!)!]).slice(0, -1) }),
      apply,
      added: (keys) => this.giveChain(keys[0]!),
      restored: (keys) => this.giveChain(keys[0]!),
    });
    this.chains = new StoredTable(store, this.chainNode, {
      params: CHAIN_PARAMS,
      writable: CHAIN_WRITABLE,
      max: MAX_CHAINS,
      initial: () => ({ Creator: 'ACS' }),
      check: (_keys, merged) => merged,
      apply,
    });
    this.rules = new StoredTable(store, this.ruleNode, {
      params: RULE_PARAMS,
      writable: RULE_WRITABLE,
      live: LIVE_STATUS,
      max: MAX_RULES,
      references: ['SourceInterface', 'DestInterface', 'TargetChain'],
      initial: (parent) => ({ Order: nextOrder(this.rules.rows(parent)) }),
      check: (keys, merged, changes) => this.checkRule(keys, merged, changes),
      added: (keys, row) => this.makeRoom(keys, row),
      updated: (keys, row, changes) => {
        if (changes.Order !== undefined) this.makeRoom(keys, row);
      },
      read: (_keys, row) => this.readRule(row),
      apply,
    });
    model.register(LEVEL, this.levels);
    model.register(CHAIN, this.chains);
    model.register(RULE, this.rules);
  }

  /** Whether `reference` (Device.Firewall.Level.N) names a Level row. */
  hasLevel(reference: string): boolean {
    const m = /^Device\.Firewall\.Level\.(\d+)$/.exec(reference);
    return m !== null && this.opts.store.row(this.levelNode.pathOf([Number(m[1])])) !== undefined;
  }

  /** What the active Level `reference` compiles from, or undefined when it names no Level. */
  plan(reference: string): AdvancedPlan | undefined {
    if (!this.hasLevel(reference)) return undefined;
    const n = Number(reference.slice(reference.lastIndexOf('.') + 1));
    const level = this.opts.store.row(this.levelNode.pathOf([n])) ?? {};
    const policy = String(level.DefaultPolicy ?? 'Drop');
    return {
      levelChain: this.levelChain(n),
      defaultPolicy: policy === 'Accept' || policy === 'Reject' ? policy : 'Drop',
      portMappingEnabled: level.PortMappingEnabled !== false,
      chains: this.allChains(),
    };
  }

  private allChains(): AdvancedChain[] {
    return this.chains.rows([]).map(([c, row]) => ({ n: c, enable: row.Enable === true, rules: this.rules.rows([c]).map(([r, rule]) => [r, ruleOf(rule)] as [number, AdvancedRule]) }));
  }

  levelChain(level: number): number | undefined {
    const c = this.opts.store.row(this.levelNode.pathOf([level]))?.[CHAIN_KEY];
    return typeof c === 'number' ? c : undefined;
  }

  /** Refuses what would leave the active configuration broken, then rewrites the table. */
  private async apply(): Promise<void> {
    const active = this.opts.activeLevel();
    if (active !== undefined && !this.hasLevel(active))
      throw new UspError(ErrorCode.DeleteFailure, `${active} is the active level (Device.Firewall.AdvancedLevel, Config Advanced): choose another first`);
    for (const [l] of this.levels.rows([])) {
      const c = this.levelChain(l);
      if (c !== undefined && this.opts.store.row(this.chainNode.pathOf([c])) === undefined) {
        throw new UspError(ErrorCode.DeleteFailure, `${this.chainNode.pathOf([c]).slice(0, -1)} is the chain of ${this.levelNode.pathOf([l]).slice(0, -1)}: delete the Level instead`);
      }
    }
    await this.opts.write();
    this.opts.changed();
  }

  /** A new (or restored) Level's own Chain, enabled, when it has none in the store. */
  private giveChain(level: number): void {
    const { store } = this.opts;
    const path = this.levelNode.pathOf([level]);
    const row = store.row(path) ?? {};
    const have = this.levelChain(level);
    if (have !== undefined && store.row(this.chainNode.pathOf([have])) !== undefined) return;
    const table = this.chainNode.tablePathOf([]);
    const c = store.allocate(table);
    store.setRow(this.chainNode.pathOf([c]), { Enable: true, Alias: `cpe-${c}`, Name: String(row.Name ?? '') || `Level ${level}`, Creator: 'ACS' });
    store.setRow(path, { ...row, [CHAIN_KEY]: c });
  }

  /** After Level `level` (whose Chain was `c`) is deleted: that Chain goes too, when it holds no Rule and no Rule jumps to it. */
  dropChain(c: number | undefined): void {
    if (c === undefined || this.rules.list([c]).length > 0) return;
    const jumped = this.allChains().some((chain) => chain.rules.some(([, r]) => r.values.Target === 'TargetChain' && chainOf(r.values.TargetChain) === c));
    if (jumped || this.opts.store.row(this.chainNode.pathOf([c])) === undefined) return;
    this.opts.store.remove(this.chainNode.pathOf([c]), this.chainNode.tablePathOf([]), c);
    // The kernel's copy of the chain is unreferenced now: the next write leaves it out.
    void this.opts.write().catch(() => undefined);
  }

  /** The Rule row to keep (7012 for what nft cannot hold; see the file comment). */
  private async checkRule(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const bad: BadParam[] = ruleProblems(merged);
    for (const [param, key] of [
      ['SourceInterface', SOURCE_DEVICE],
      ['DestInterface', DEST_DEVICE],
    ] as const) {
      if (changes[param] === undefined) continue;
      delete merged[key];
      const ref = String(changes[param]);
      if (ref === '') continue;
      const device = await this.opts.interfaces.nameOf(ref);
      if (device === undefined || !isIfName(device)) bad.push({ param, message: `${ref} is no Device.IP.Interface row of this device` });
      else merged[key] = device;
    }
    // Checked when written: a Rule whose Chain was deleted since can still be disabled or deleted.
    const target = changes.TargetChain !== undefined || changes.Target !== undefined ? chainOf(merged.TargetChain) : undefined;
    if (target !== undefined && this.opts.store.row(this.chainNode.pathOf([target])) === undefined) bad.push({ param: 'TargetChain', message: `${String(merged.TargetChain)} is no Chain row` });
    else if (target !== undefined && merged.Target === 'TargetChain' && this.loops(keys, target))
      bad.push({ param: 'TargetChain', message: `${String(merged.TargetChain)} leads back to this rule's chain (a loop)` });
    if (bad.length > 0) throw invalid(bad);
    if (changes.Order !== undefined) merged[ORDERED] = Math.max(0, ...this.rules.rows([keys[0]!]).map(([, r]) => Number(r[ORDERED] ?? 0))) + 1;
    return merged;
  }

  /** TR-106 Order: the Rules of the Chain at or after Rule `keys`'s Order move down by one (they already sort after it). */
  private makeRoom(keys: InstanceKeys, row: Row): void {
    const [c, self] = keys as [number, number];
    const order = Number(row.Order ?? 0);
    const rows = this.rules.rows([c]);
    if (!rows.some(([n, r]) => n !== self && Number(r.Order ?? 0) === order)) return;
    for (const [n, r] of rows) if (n !== self && Number(r.Order ?? 0) >= order) this.opts.store.setRow(this.ruleNode.pathOf([c, n]), { ...r, Order: Number(r.Order) + 1 });
  }

  /** Whether Rule `keys` jumping to Chain `target` closes a loop of jumps. */
  private loops(keys: InstanceKeys, target: number): boolean {
    const [own, self] = keys as [number, number];
    const edges = new Map<number, Set<number>>();
    for (const chain of this.allChains()) {
      for (const [r, rule] of chain.rules) {
        if (chain.n === own && r === self) continue;
        const to = chainOf(rule.values.TargetChain);
        if (rule.values.Target === 'TargetChain' && to !== undefined) edges.set(chain.n, (edges.get(chain.n) ?? new Set()).add(to));
      }
    }
    edges.set(own, (edges.get(own) ?? new Set()).add(target));
    return jumpsLoop(edges, own);
  }

  /**
   * The Rule as read: its interfaces as the paths of their devices now (IP.Interface numbers are
   * given afresh at each start: the row follows its device, as NAT's do), and Status.
   */
  private async readRule(row: Row): Promise<Record<string, Value>> {
    const values: Record<string, Value> = { ...publicValues(row), Status: this.ruleStatus(row) };
    for (const [param, key] of [
      ['SourceInterface', SOURCE_DEVICE],
      ['DestInterface', DEST_DEVICE],
    ] as const) {
      const device = row[key];
      const present = typeof device === 'string' ? await this.opts.interfaces.pathOf(device) : undefined;
      if (present !== undefined) values[param] = present;
    }
    return values;
  }

  private ruleStatus(row: Row): string {
    if (row.Enable !== true) return 'Disabled';
    const known = new Set(this.chains.list([]));
    return misconfigured(ruleOf(row), known) === undefined ? 'Enabled' : 'Error_Misconfigured';
  }
}

/** The Level table: a Delete takes the Level's own Chain with it (AdvancedFirewallTables.dropChain). */
class LevelTable extends StoredTable {
  constructor(
    private readonly owner: AdvancedFirewallTables,
    ...args: ConstructorParameters<typeof StoredTable>
  ) {
    super(...args);
  }

  override async delete(keys: InstanceKeys): Promise<void> {
    const c = this.owner.levelChain(keys[0]!);
    await super.delete(keys);
    this.owner.dropChain(c);
  }
}

function ruleOf(row: Row): AdvancedRule {
  const s = row[SOURCE_DEVICE];
  const d = row[DEST_DEVICE];
  return { values: row, ...(typeof s === 'string' ? { sourceDevice: s } : {}), ...(typeof d === 'string' ? { destDevice: d } : {}) };
}
