/**
 * Device.Firewall. of the simulated gateway (TR-181 Firewall:1 and AdvancedFirewall:1): a
 * stateful firewall (OpenWrt's fw4 over nftables) at the "Low" setting, that is Traffic Denied
 * Inbound, shipped with one advanced Level and its Chain for Config "Advanced". A Controller may
 * add Levels (each brings its own Chain, Creator ACS), Chains and Rules (firewall-rule-table.ts)
 * and delete them, the shipped ones too; not the Level in effect (7024), nor a Level's Chain.
 * Port mappings pass the firewall unless the Level in effect turns PortMappingEnabled off or its
 * rules drop or reject the mapping's inbound connection (NAT PortMapping Status Inactive).
 * Nothing of the tables is built for a gateway until they are read or written.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { FactoryTable } from './factory-table.js';
import { RULE, RuleBinding, SimRules, type SimPacket } from './firewall-rule-table.js';
import { LAN_INTERFACE, WAN_INTERFACE } from './ip.js';
import { dateTime, invalidParams, type SimContext, WritableRows } from './SimContext.js';

/** The shipped Level and its Chain, as reference values (no trailing "."). */
const LEVEL_PATH = 'Device.Firewall.Level.1';
const LEVEL = 'Device.Firewall.Level.{i}.';
const CHAIN = 'Device.Firewall.Chain.{i}.';
const SHIPPED: readonly number[] = [1];
const MAX_LEVELS = 8;
const MAX_CHAINS = 16;
const LEVEL_RE = /^Device\.Firewall\.Level\.(\d+)$/;
const CHAIN_RE = /^Device\.Firewall\.Chain\.(\d+)$/;

export interface FirewallState {
  /** Whether inbound port mappings are let through (NAT.InterfaceSetting Status). */
  portMappingEnabled(): boolean;
  /** Whether the inbound connections of a port mapping (a NAT.PortMapping row) pass the firewall. */
  admitsMapping(row: Readonly<Record<string, Value>>): boolean;
}

const FIREWALL_PARAMS = ['Enable', 'Config', 'AdvancedLevel', 'Type', 'Version', 'LastChange'] as const;
const LEVEL_PARAMS = ['Alias', 'Name', 'Description', 'Order', 'Chain', 'PortMappingEnabled', 'DefaultPolicy', 'DefaultLogPolicy'] as const;
const CHAIN_PARAMS = ['Enable', 'Alias', 'Name', 'Creator'] as const;
const levelRow = (keys: InstanceKeys): Record<string, Value> =>
  keys[0] === 1
    ? {
        Alias: 'cpe-level-standard',
        Name: 'Standard',
        Description: 'Accept outbound and established traffic; drop unsolicited inbound',
        Order: 1,
        Chain: 'Device.Firewall.Chain.1',
        PortMappingEnabled: true,
        DefaultPolicy: 'Drop',
        DefaultLogPolicy: false,
      }
    : { Alias: '', Name: '', Description: '', Order: keys[0]!, Chain: '', PortMappingEnabled: true, DefaultPolicy: 'Drop', DefaultLogPolicy: false };
const chainRow = (keys: InstanceKeys): Record<string, Value> =>
  keys[0] === 1 ? { Enable: true, Alias: 'cpe-chain-standard', Name: 'Standard', Creator: 'Defaults' } : { Enable: false, Alias: '', Name: '', Creator: 'ACS' };
const numberOf = (re: RegExp, ref: Value | undefined): number | undefined => {
  const m = re.exec(String(ref ?? ''));
  return m ? Number(m[1]) : undefined;
};

/** Device.Firewall. as shipped; LastChange (not writable) is the time of the last change of any setting, kept with them. */
function firewallRowOf(bootedAt: number): () => Record<string, Value> {
  const booted = dateTime(bootedAt);
  return () => ({ Enable: true, Config: 'Low', AdvancedLevel: LEVEL_PATH, LastChange: booted });
}

/**
 * One gateway's firewall settings: Device.Firewall., its Level and its Chain. The bindings are
 * thin classes over it, one copy of their methods for every gateway of a fleet (issue 14).
 */
class Firewall implements FirewallState {
  readonly fw: WritableRows;
  readonly level: WritableRows;
  readonly chain: WritableRows;
  /** The tables' rows and the Rules, built at their first use. */
  private built?: { levels: FactoryTable; chains: FactoryTable; rules: SimRules };

  constructor(readonly ctx: SimContext) {
    this.fw = new WritableRows(ctx, 'Device.Firewall.', firewallRowOf(ctx.bootedAt));
    this.level = new WritableRows(ctx, LEVEL, levelRow);
    this.chain = new WritableRows(ctx, CHAIN, chainRow);
  }

  private tables(): NonNullable<Firewall['built']> {
    if (!this.built) {
      const chains = new FactoryTable(this.ctx, CHAIN, SHIPPED, MAX_CHAINS);
      this.built = { levels: new FactoryTable(this.ctx, LEVEL, SHIPPED, MAX_LEVELS), chains, rules: new SimRules(this.ctx, () => chains.list([])) };
    }
    return this.built;
  }

  levels(): FactoryTable {
    return this.tables().levels;
  }

  chains(): FactoryTable {
    return this.tables().chains;
  }

  rules(): SimRules {
    return this.tables().rules;
  }

  /** The Level instance a reference names, when that row exists. */
  levelOf(ref: Value | undefined): number | undefined {
    const n = numberOf(LEVEL_RE, ref);
    return n !== undefined && this.levels().list([]).includes(n) ? n : undefined;
  }

  /** The Level in effect: Config Advanced on an enabled firewall. */
  activeLevel(): number | undefined {
    const row = this.fw.row([]);
    return row.Enable === true && row.Config === 'Advanced' ? this.levelOf(row.AdvancedLevel) : undefined;
  }

  /** The Chain of Level `n`, when it exists. */
  chainOfLevel(n: number): number | undefined {
    const c = numberOf(CHAIN_RE, this.level.row([n]).Chain);
    return c !== undefined && this.chains().list([]).includes(c) ? c : undefined;
  }

  admitsMapping(row: Readonly<Record<string, Value>>): boolean {
    if (!this.portMappingEnabled()) return false;
    const level = this.activeLevel();
    const chain = level === undefined ? undefined : this.chainOfLevel(level);
    if (chain === undefined) return true;
    const port = Number(row.InternalPort) || Number(row.ExternalPort) || undefined;
    const p: SimPacket = {
      sourceInterface: WAN_INTERFACE,
      destInterface: LAN_INTERFACE,
      ...(row.RemoteHost ? { sourceIP: String(row.RemoteHost) } : {}),
      destIP: String(row.InternalClient),
      ...(row.Protocol === 'TCP' ? { protocol: 6 } : row.Protocol === 'UDP' ? { protocol: 17 } : {}),
      ...(port ? { destPort: port } : {}),
    };
    const enabled = (c: number): boolean => this.chain.row([c]).Enable === true;
    const verdict = this.rules().evaluate(chain, p, enabled);
    // A connection no Rule decided passes the default policy: the mapping is its pinhole.
    return verdict === undefined || verdict === 'Accept';
  }

  /** A setting changed: Device.Firewall.LastChange is now. */
  touch(): void {
    this.fw.apply([], { LastChange: dateTime(this.ctx.now()) });
  }

  portMappingEnabled(): boolean {
    const level = this.activeLevel();
    return level === undefined || this.level.row([level]).PortMappingEnabled === true;
  }
}

/** Device.Firewall. */
class FirewallBinding implements ObjectBinding {
  readonly params = FIREWALL_PARAMS;

  constructor(private readonly firewall: Firewall) {}

  get(): Record<string, Value> {
    const row = this.firewall.fw.row([]);
    // A strong reference: a Level deleted since reads "".
    const level = row.AdvancedLevel === LEVEL_PATH || this.firewall.levelOf(row.AdvancedLevel) !== undefined ? row.AdvancedLevel : '';
    return { ...row, AdvancedLevel: level, Type: 'Stateful', Version: 'fw4-2024.05.26' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { fw } = this.firewall;
    canonicalizeReferences(changes, ['AdvancedLevel']);
    const bad: Array<{ param: string; message: string }> = [];
    if (changes.Config === 'Policy') bad.push({ param: 'Config', message: 'policy-based firewalling (Firewall.Policy) is not supported: High, Low or Advanced' });
    const level = changes.AdvancedLevel;
    if (level !== undefined && level !== '' && this.firewall.levelOf(level) === undefined) bad.push({ param: 'AdvancedLevel', message: `${String(level)} is no Device.Firewall.Level row` });
    const merged = { ...fw.row([]), ...changes };
    if (merged.Config === 'Advanced' && this.firewall.levelOf(merged.AdvancedLevel) === undefined)
      bad.push({ param: 'AdvancedLevel', message: 'Config Advanced needs an AdvancedLevel naming a Level row' });
    if (bad.length > 0) throw invalidParams(bad);
    fw.apply(keys, changes);
    this.firewall.touch();
  }
}

/** Device.Firewall.Level.{i}.: the shipped level and those a Controller adds, each with its own Chain. */
class LevelBinding implements ObjectBinding {
  readonly params = LEVEL_PARAMS;
  readonly writable = ['Alias', 'Name', 'Description', 'Order', 'PortMappingEnabled', 'DefaultPolicy', 'DefaultLogPolicy'] as const;

  constructor(private readonly firewall: Firewall) {}

  list(): number[] {
    return this.firewall.levels().list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const n = this.firewall.levels().check(keys)[0]!;
    const c = this.firewall.chainOfLevel(n);
    return { ...this.firewall.level.row(keys), Chain: c === undefined ? '' : `Device.Firewall.Chain.${c}` };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.firewall.levels().check(keys);
    this.firewall.level.apply(keys, changes);
    this.firewall.touch();
  }

  add(_parent: InstanceKeys, params: Record<string, Value>, _ctx: unknown, requested?: number): number {
    if (this.firewall.chains().list([]).length >= MAX_CHAINS)
      throw new UspError(ErrorCode.ResourcesExceeded, `a new Level needs a Chain of its own, and Device.Firewall.Chain. holds at most ${MAX_CHAINS} rows`);
    const n = this.firewall.levels().add([], requested);
    const c = this.firewall.chains().add([]);
    this.firewall.chain.apply([c], { Enable: true, Alias: `cpe-${c}`, Name: String(params.Name ?? '') || `Level ${n}`, Creator: 'ACS' });
    const order =
      Math.max(
        0,
        ...this.list()
          .filter((l) => l !== n)
          .map((l) => Number(this.firewall.level.row([l]).Order)),
      ) + 1;
    this.firewall.level.apply([n], { Order: order, Alias: `cpe-${n}`, ...params, Chain: `Device.Firewall.Chain.${c}` });
    this.firewall.touch();
    return n;
  }

  delete(keys: InstanceKeys): void {
    const n = this.firewall.levels().check(keys)[0]!;
    if (this.firewall.activeLevel() === n) throw new UspError(ErrorCode.DeleteFailure, `Device.Firewall.Level.${n} is the level in effect (AdvancedLevel, Config Advanced): choose another first`);
    const c = this.firewall.chainOfLevel(n);
    this.firewall.levels().delete(keys);
    // Its Chain goes with it unless it holds Rules or a Rule jumps to it.
    if (c !== undefined && this.firewall.rules().table.list([c]).length === 0 && !this.firewall.rules().jumpedTo(c)) this.firewall.chains().delete([c]);
    this.firewall.touch();
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.firewall.levels().snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.firewall.levels().restore(keys, snap);
  }
}

/** Device.Firewall.Chain.{i}.: the shipped level's chain and those a Level or a Controller adds. */
class ChainBinding implements ObjectBinding {
  readonly params = CHAIN_PARAMS;
  readonly writable = ['Enable', 'Alias', 'Name'] as const;

  constructor(private readonly firewall: Firewall) {}

  list(): number[] {
    return this.firewall.chains().list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.firewall.chain.row(this.firewall.chains().check(keys));
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.firewall.chains().check(keys);
    this.firewall.chain.apply(keys, changes);
    this.firewall.touch();
  }

  add(_parent: InstanceKeys, params: Record<string, Value>, _ctx: unknown, requested?: number): number {
    const c = this.firewall.chains().add([], requested);
    this.firewall.chain.apply([c], { Alias: `cpe-${c}`, ...params, Creator: 'ACS' });
    this.firewall.touch();
    return c;
  }

  delete(keys: InstanceKeys): void {
    const c = this.firewall.chains().check(keys)[0]!;
    const owner = this.firewall
      .levels()
      .list([])
      .find((l) => this.firewall.chainOfLevel(l) === c);
    if (owner !== undefined) throw new UspError(ErrorCode.DeleteFailure, `Device.Firewall.Chain.${c} is the chain of Device.Firewall.Level.${owner}: delete the Level instead`);
    this.firewall.chains().delete(keys);
    this.firewall.touch();
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.firewall.chains().snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.firewall.chains().restore(keys, snap);
  }
}

/** Serves Device.Firewall., Firewall.Level.{i}., Firewall.Chain.{i}. and its Rule.{i}. */
export function registerFirewall(ctx: SimContext): FirewallState {
  const firewall = new Firewall(ctx);
  ctx.model.register('Device.Firewall.', new FirewallBinding(firewall));
  ctx.model.register(LEVEL, new LevelBinding(firewall));
  ctx.model.register(CHAIN, new ChainBinding(firewall));
  ctx.model.register(RULE, new RuleBinding(firewall));
  return firewall;
}
