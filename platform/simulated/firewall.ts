/**
 * Device.Firewall. of the simulated gateway (TR-181 Firewall:1 and the AdvancedFirewall Level
 * and Chain objects): a stateful firewall (OpenWrt's fw4 over nftables) at the "Low" setting,
 * that is Traffic Denied Inbound, with one advanced Level and its Chain for Config "Advanced".
 * Port mappings pass it unless the Advanced level turns PortMappingEnabled off.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { dateTime, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

/** The one Level and its Chain, as reference values (no trailing "."). */
const LEVEL_PATH = 'Device.Firewall.Level.1';
const CHAIN_PATH = 'Device.Firewall.Chain.1';

export interface FirewallState {
  /** Whether inbound port mappings are let through (NAT.InterfaceSetting and PortMapping Status). */
  portMappingEnabled(): boolean;
}

const FIREWALL_PARAMS = ['Enable', 'Config', 'AdvancedLevel', 'Type', 'Version', 'LastChange'] as const;
const LEVEL_PARAMS = ['Alias', 'Name', 'Description', 'Order', 'Chain', 'PortMappingEnabled', 'DefaultPolicy', 'DefaultLogPolicy'] as const;
const CHAIN_PARAMS = ['Enable', 'Alias', 'Name', 'Creator'] as const;
const levelRow = (): Record<string, Value> => ({
  Alias: 'cpe-level-standard',
  Name: 'Standard',
  Description: 'Accept outbound and established traffic; drop unsolicited inbound',
  Order: 1,
  PortMappingEnabled: true,
  DefaultPolicy: 'Drop',
  DefaultLogPolicy: false,
});
const chainRow = (): Record<string, Value> => ({ Enable: true, Alias: 'cpe-chain-standard', Name: 'Standard' });

/** The one Level's or Chain's keys; any other instance is 7016. */
function one(keys: InstanceKeys): InstanceKeys {
  nth([1], keys[0]);
  return keys;
}

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

  constructor(private readonly ctx: SimContext) {
    this.fw = new WritableRows(ctx, 'Device.Firewall.', firewallRowOf(ctx.bootedAt));
    this.level = new WritableRows(ctx, 'Device.Firewall.Level.{i}.', levelRow);
    this.chain = new WritableRows(ctx, 'Device.Firewall.Chain.{i}.', chainRow);
  }

  /** A setting changed: Device.Firewall.LastChange is now. */
  touch(): void {
    this.fw.apply([], { LastChange: dateTime(this.ctx.now()) });
  }

  portMappingEnabled(): boolean {
    const row = this.fw.row([]);
    return row.Enable !== true || row.Config !== 'Advanced' || this.level.row([1]).PortMappingEnabled === true;
  }
}

/** Device.Firewall. */
class FirewallBinding implements ObjectBinding {
  readonly params = FIREWALL_PARAMS;

  constructor(private readonly firewall: Firewall) {}

  get(): Record<string, Value> {
    return { ...this.firewall.fw.row([]), Type: 'Stateful', Version: 'fw4-2024.05.26' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { fw } = this.firewall;
    canonicalizeReferences(changes, ['AdvancedLevel']);
    const bad: Array<{ param: string; message: string }> = [];
    if (changes.Config === 'Policy') bad.push({ param: 'Config', message: 'policy-based firewalling (Firewall.Policy) is not supported: High, Low or Advanced' });
    const level = changes.AdvancedLevel;
    if (level !== undefined && level !== LEVEL_PATH && level !== '') bad.push({ param: 'AdvancedLevel', message: `the one level is ${LEVEL_PATH}` });
    const merged = { ...fw.row([]), ...changes };
    if (merged.Config === 'Advanced' && merged.AdvancedLevel === '') bad.push({ param: 'AdvancedLevel', message: 'Config Advanced needs an AdvancedLevel' });
    if (bad.length > 0) throw invalidParams(bad);
    fw.apply(keys, changes);
    this.firewall.touch();
  }
}

/** Device.Firewall.Level.{i}.: the one level, first in order. */
class LevelBinding implements ObjectBinding {
  readonly params = LEVEL_PARAMS;

  constructor(private readonly firewall: Firewall) {}

  list(): number[] {
    return [1];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return { ...this.firewall.level.row(one(keys)), Chain: CHAIN_PATH };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    one(keys);
    if (changes.Order !== undefined && changes.Order !== 1) throw invalidParams([{ param: 'Order', message: 'the only level is first (1)' }]);
    this.firewall.level.apply(keys, changes);
    this.firewall.touch();
  }
}

/** Device.Firewall.Chain.{i}.: the level's one chain. */
class ChainBinding implements ObjectBinding {
  readonly params = CHAIN_PARAMS;

  constructor(private readonly firewall: Firewall) {}

  list(): number[] {
    return [1];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return { ...this.firewall.chain.row(one(keys)), Creator: 'Defaults' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    one(keys);
    this.firewall.chain.apply(keys, changes);
    this.firewall.touch();
  }
}

/** Serves Device.Firewall., Firewall.Level.{i}. and Firewall.Chain.{i}. (one row each). */
export function registerFirewall(ctx: SimContext): FirewallState {
  const firewall = new Firewall(ctx);
  ctx.model.register('Device.Firewall.', new FirewallBinding(firewall));
  ctx.model.register('Device.Firewall.Level.{i}.', new LevelBinding(firewall));
  ctx.model.register('Device.Firewall.Chain.{i}.', new ChainBinding(firewall));
  return firewall;
}
