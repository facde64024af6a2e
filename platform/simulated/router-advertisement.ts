/**
 * Device.RouterAdvertisement. of the simulated gateway (TR-181 RouterAdvertisement:1): the
 * gateway advertises br-lan's prefixes (ipv6-plan.ts: the first /64 of the delegated /56 and the
 * ULA /64) to the LAN, as OpenWrt's odhcpd does, with RFC 4861's default timers. It ships one
 * InterfaceSetting row, on br-lan; a Controller may change it, add rows on other IP interfaces
 * (not lo) and delete any row. Option rows (extra RA options) are kept per InterfaceSetting row.
 * Nothing is stored and nothing built until something reads Device.RouterAdvertisement.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import {
  MAX_RA_OPTIONS,
  MAX_RA_SETTINGS,
  RA_OPTION,
  RA_OPTION_PARAMS,
  RA_SETTING,
  RA_SETTING_PARAMS,
  raOptionProblems,
  raSettingProblems,
  ROUTER_ADVERTISEMENT,
} from '../router-advertisement-rules.js';
import { FactoryTable } from './factory-table.js';
import { InterfaceSettingBinding, InterfaceSettingTable, type InterfaceSettingSpec, SettingTopBinding } from './interface-setting-table.js';
import { type IPState, LAN_INTERFACE } from './ip.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

/** RFC 4861 §6.2.1's defaults, as TR-181 gives them; the shipped row only turns advertising on for br-lan. */
const RA_DEFAULTS: Readonly<Record<string, Value>> = Object.freeze({
  Enable: false,
  Alias: '',
  Interface: '',
  MaxRtrAdvInterval: 600,
  MinRtrAdvInterval: 200,
  AdvDefaultLifetime: 1800,
  AdvManagedFlag: false,
  AdvOtherConfigFlag: false,
  AdvMobileAgentFlag: false,
  AdvPreferredRouterFlag: 'Medium',
  AdvNDProxyFlag: false,
  AdvLinkMTU: 0,
  AdvReachableTime: 0,
  AdvRetransTimer: 0,
  AdvCurHopLimit: 0,
});

const RA_SPEC: InterfaceSettingSpec = {
  top: ROUTER_ADVERTISEMENT,
  setting: RA_SETTING,
  params: RA_SETTING_PARAMS,
  factory: [1],
  max: MAX_RA_SETTINGS,
  initial: (_keys, factory) => (factory ? { ...RA_DEFAULTS, Enable: true, Alias: 'cpe-ra-br-lan', Interface: LAN_INTERFACE } : { ...RA_DEFAULTS }),
  problems: raSettingProblems,
};

const OPTION_DEFAULTS: Readonly<Record<string, Value>> = Object.freeze({ Enable: false, Alias: '', Tag: 0, Value: '' });
/** No InterfaceSetting row ships with options. */
const NO_OPTIONS: readonly number[] = Object.freeze([]);

/** Serves Device.RouterAdvertisement., its InterfaceSetting.{i}. and their Option.{i}. */
export function registerRouterAdvertisement(ctx: SimContext, ip: IPState): void {
  const t = new InterfaceSettingTable(ctx, ip, RA_SPEC);
  ctx.model.register(ROUTER_ADVERTISEMENT, new SettingTopBinding(t));
  ctx.model.register(RA_SETTING, new InterfaceSettingBinding(t));
  ctx.model.register(RA_OPTION, new OptionBinding(new FactoryTable(ctx, RA_OPTION, NO_OPTIONS, MAX_RA_OPTIONS), new WritableRows(ctx, RA_OPTION, OPTION_DEFAULTS)));
}

/** InterfaceSetting.{i}.Option.{i}.: stored rows only (Tag is the table's unique key, checked by the transaction). */
class OptionBinding implements ObjectBinding {
  readonly params = RA_OPTION_PARAMS;

  constructor(
    private readonly table: FactoryTable,
    private readonly rows: WritableRows,
  ) {}

  list(parentKeys: InstanceKeys): number[] {
    return this.table.list(parentKeys);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.rows.row(this.table.check(keys));
  }

  private validate(current: Record<string, Value>, changes: Record<string, Value>): void {
    const bad = raOptionProblems({ ...current, ...changes });
    if (bad.length > 0) throw invalidParams(bad);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.validate(this.rows.row(this.table.check(keys)), changes);
    this.rows.apply(keys, changes);
  }

  add(parentKeys: InstanceKeys, params: Record<string, Value>): number {
    this.validate({ ...OPTION_DEFAULTS }, params);
    const n = this.table.add(parentKeys);
    this.rows.apply([...parentKeys, n], params);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.table.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.table.restore(keys, snap);
  }
}
