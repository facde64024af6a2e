/**
 * Device.NeighborDiscovery. of the simulated gateway (TR-181 NeighborDiscovery:1): Neighbor
 * Discovery as the gateway's kernel runs it on br-lan and on wwan0, with RFC 4861's default
 * timers. On wwan0 the gateway solicits the 5G network's router advertisement (the PDN link's
 * /64, ipv6-plan.ts); on br-lan it is the router and sends none (RSEnable false). Both rows
 * ship; a Controller may change them, add rows on other IP interfaces (not lo) and delete any.
 * Nothing is stored and nothing built until something reads Device.NeighborDiscovery.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_ND_SETTINGS, ND_SETTING, ND_SETTING_PARAMS, ndSettingProblems, NEIGHBOR_DISCOVERY } from '../neighbor-discovery-rules.js';
import { InterfaceSettingBinding, InterfaceSettingTable, type InterfaceSettingSpec, SettingTopBinding } from './interface-setting-table.js';
import { type IPState, LAN_INTERFACE, WAN_INTERFACE } from './ip.js';
import type { SimContext } from './SimContext.js';

/** RFC 4861 §10 and RFC 4862 §5.1 defaults, as TR-181 gives them (NUD and RS on: what a host does). */
const ND_DEFAULTS: Readonly<Record<string, Value>> = Object.freeze({
  Enable: false,
  Alias: '',
  Interface: '',
  DADTransmits: 1,
  RetransTimer: 1000,
  RtrSolicitationInterval: 4000,
  MaxRtrSolicitations: 3,
  NUDEnable: true,
  RSEnable: true,
});

const ND_SPEC: InterfaceSettingSpec = {
  top: NEIGHBOR_DISCOVERY,
  setting: ND_SETTING,
  params: ND_SETTING_PARAMS,
  factory: [1, 2],
  max: MAX_ND_SETTINGS,
  initial: (keys, factory) => {
    if (!factory) return { ...ND_DEFAULTS };
    const lan = keys[0] === 1;
    return { ...ND_DEFAULTS, Enable: true, Alias: lan ? 'cpe-nd-br-lan' : 'cpe-nd-wwan0', Interface: lan ? LAN_INTERFACE : WAN_INTERFACE, RSEnable: !lan };
  },
  problems: ndSettingProblems,
};

/** Serves Device.NeighborDiscovery. and its InterfaceSetting.{i}. */
export function registerNeighborDiscovery(ctx: SimContext, ip: IPState): void {
  const t = new InterfaceSettingTable(ctx, ip, ND_SPEC);
  ctx.model.register(NEIGHBOR_DISCOVERY, new SettingTopBinding(t));
  ctx.model.register(ND_SETTING, new InterfaceSettingBinding(t));
}
