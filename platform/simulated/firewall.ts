/**
 * Device.Firewall. of the simulated gateway (TR-181 Firewall:1 and the AdvancedFirewall Level
 * and Chain objects): a stateful firewall (OpenWrt's fw4 over nftables) at the "Low" setting,
 * that is Traffic Denied Inbound, with one advanced Level and its Chain for Config "Advanced".
 * Port mappings pass it unless the Advanced level turns PortMappingEnabled off.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { canonicalizeReferences } from '../reference.js';
import { dateTime, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

/** The one Level and its Chain, as reference values (no trailing "."). */
const LEVEL_PATH = 'Device.Firewall.Level.1';
const CHAIN_PATH = 'Device.Firewall.Chain.1';

export interface FirewallState {
  /** Whether inbound port mappings are let through (NAT.InterfaceSetting and PortMapping Status). */
  portMappingEnabled(): boolean;
}

/** Serves Device.Firewall., Firewall.Level.{i}. and Firewall.Chain.{i}. (one row each). */
export function registerFirewall(ctx: SimContext): FirewallState {
  const { model } = ctx;
  const fw = new WritableRows(ctx, 'Device.Firewall.', () => ({
    Enable: true,
    Config: 'Low',
    AdvancedLevel: LEVEL_PATH,
    // Not writable: the time of the last change of any firewall setting, kept with them.
    LastChange: dateTime(ctx.bootedAt),
  }));
  const touch = (): void => fw.apply([], { LastChange: dateTime(ctx.now()) });
  const one = (keys: InstanceKeys): InstanceKeys => {
    nth([1], keys[0]);
    return keys;
  };

  model.register('Device.Firewall.', {
    params: ['Enable', 'Config', 'AdvancedLevel', 'Type', 'Version', 'LastChange'],
    get: () => ({ ...fw.row([]), Type: 'Stateful', Version: 'fw4-2024.05.26' }),
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['AdvancedLevel']);
      const bad: Array<{ param: string; message: string }> = [];
      if (changes.Config === 'Policy') bad.push({ param: 'Config', message: 'policy-based firewalling (Firewall.Policy) is not supported: High, Low or Advanced' });
      const level = changes.AdvancedLevel;
      if (level !== undefined && level !== LEVEL_PATH && level !== '') bad.push({ param: 'AdvancedLevel', message: `the one level is ${LEVEL_PATH}` });
      const merged = { ...fw.row([]), ...changes };
      if (merged.Config === 'Advanced' && merged.AdvancedLevel === '') bad.push({ param: 'AdvancedLevel', message: 'Config Advanced needs an AdvancedLevel' });
      if (bad.length > 0) throw invalidParams(bad);
      fw.apply(keys, changes);
      touch();
    },
  });

  const level = new WritableRows(ctx, 'Device.Firewall.Level.{i}.', () => ({
    Alias: 'cpe-level-standard',
    Name: 'Standard',
    Description: 'Accept outbound and established traffic; drop unsolicited inbound',
    Order: 1,
    PortMappingEnabled: true,
    DefaultPolicy: 'Drop',
    DefaultLogPolicy: false,
  }));
  model.register('Device.Firewall.Level.{i}.', {
    params: ['Alias', 'Name', 'Description', 'Order', 'Chain', 'PortMappingEnabled', 'DefaultPolicy', 'DefaultLogPolicy'],
    list: () => [1],
    get: (keys) => ({ ...level.row(one(keys)), Chain: CHAIN_PATH }),
    set: (keys, changes) => {
      one(keys);
      if (changes.Order !== undefined && changes.Order !== 1) throw invalidParams([{ param: 'Order', message: 'the only level is first (1)' }]);
      level.apply(keys, changes);
      touch();
    },
  });

  const chain = new WritableRows(ctx, 'Device.Firewall.Chain.{i}.', () => ({ Enable: true, Alias: 'cpe-chain-standard', Name: 'Standard' }));
  model.register('Device.Firewall.Chain.{i}.', {
    params: ['Enable', 'Alias', 'Name', 'Creator'],
    list: () => [1],
    get: (keys) => ({ ...chain.row(one(keys)), Creator: 'Defaults' }),
    set: (keys, changes) => {
      one(keys);
      chain.apply(keys, changes);
      touch();
    },
  });

  return {
    portMappingEnabled: () => {
      const row = fw.row([]);
      return row.Enable !== true || row.Config !== 'Advanced' || level.row([1]).PortMappingEnabled === true;
    },
  };
}
