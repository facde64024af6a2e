/**
 * Device.Bridging.Bridge.{i}. Add and Delete on OpenWrt (TR-181 VLANBridge:1 needs both): a
 * bridge is a `config device` section with `type 'bridge'` (bridge-config.ts), which netifd
 * creates the bridge device from (bridge.c), so:
 *
 * - Add is `uci add network device` (anonymous, as LuCI adds one) with `name 'br-uspN'` (the
 *   first N no device has), `type 'bridge'`, and the Add's settings: Enable false (TR-181's
 *   default) is `enabled '0'` (netifd's DEV_ATTR_ENABLED: the device stays down), Standard
 *   802.1Q-2011 is `vlan_filtering '1'` (BRIDGE_ATTR_VLAN_FILTERING; 802.1D-2004 is netifd's
 *   default, 802.1Q-2005 has no setting of its own: 7012), AgingTime is `ageing_time`. Beyond
 *   MAX_BRIDGES bridges an Add is refused with 7005.
 * - Delete removes the section and the bridge's `config bridge-vlan` sections (its VLAN and
 *   VLANPort rows). It is refused (7024) while an interface sits on the bridge (its `device` is
 *   the bridge or a VLAN of it, `br-lan.1`): netifd would keep that interface configured on a
 *   device that no longer exists, down for good, and on br-lan that is the LAN the Controller
 *   may be reaching the agent through. Move or delete the IP.Interface first. A bridge of an
 *   old-style `config interface` with `type 'bridge'` goes with its interface (7024 here too).
 *
 * - Set of Enable, Standard and AgingTime on any bridge writes the same options on its section
 *   (`enabled`, `vlan_filtering`, `ageing_time`; on an old-style bridge, its interface section,
 *   which netifd reads the bridge's options from). 802.1D-2004 is refused (7012) while the bridge
 *   has VLAN rows: netifd filters VLANs on a bridge with bridge-vlan sections whatever
 *   `vlan_filtering` says. A transaction that fails later sets the old values back the same way.
 *
 * Each commits once and reloads netifd (BridgingState.write; a failure reverts).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { parseBridges } from './bridge-config.js';
import { type BridgeRow, type BridgingState, MAX_BRIDGES } from './BridgingState.js';
import { refused } from './convert.js';
import { stringOption } from './uci-show.js';
import { type ParamWriter, planWrite } from './uci.js';

/** Names of the bridges the agent creates: br-usp1, br-usp2, ... */
const CREATED_PREFIX = 'br-usp';

/** The options of a new bridge section beside name and type, for the Add's parameters; 7012 for what netifd cannot hold. */
export function newBridgeOptions(params: Record<string, Value>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (params.Enable !== true) out.push(['enabled', '0']);
  const standard = params.Standard ?? '802.1D-2004';
  if (standard === '802.1Q-2011') out.push(['vlan_filtering', '1']);
  else if (standard !== '802.1D-2004') throw refused([{ param: 'Standard', message: unknownStandard(standard) }]);
  if (typeof params.AgingTime === 'number') out.push(['ageing_time', String(params.AgingTime)]);
  return out;
}

function unknownStandard(standard: Value): string {
  return `${String(standard)}: netifd bridges are 802.1D-2004, or 802.1Q-2011 with VLAN filtering`;
}

/** How each writable parameter of bridge `b` becomes options of its section. */
function bridgeWriters(b: BridgeRow): Readonly<Record<string, ParamWriter>> {
  const { section, vlans } = b.config;
  return {
    Enable: (v) => [{ section, option: 'enabled', value: v === true ? '1' : '0' }],
    Standard: (v) => {
      if (v === '802.1Q-2011') return [{ section, option: 'vlan_filtering', value: '1' }];
      if (v !== '802.1D-2004') return unknownStandard(v);
      if (vlans.length > 0) return `netifd filters VLANs on a bridge with VLAN rows (bridge-vlan sections): delete its ${vlans.length} VLAN rows first`;
      return [{ section, option: 'vlan_filtering', value: '0' }];
    },
    AgingTime: (v) => [{ section, option: 'ageing_time', value: String(v) }],
  };
}

/**
 * Sets Enable, Standard and AgingTime of bridge `b` (one commit and reload); 7012, writing
 * nothing, for a value netifd cannot hold. Alias is the caller's (the agent keeps it).
 */
export async function setBridge(state: BridgingState, b: BridgeRow, changes: Record<string, Value>, current: Record<string, Value>): Promise<void> {
  const { Alias: _, ...written } = changes;
  const plan = planWrite(current, written, bridgeWriters(b));
  if (plan.length === 0) return;
  await state.write(async (s) => {
    for (const c of plan) await s.set(c);
  });
}

/** Adds a bridge section; resolves with its device name. */
export async function addBridge(state: BridgingState, params: Record<string, Value>): Promise<string> {
  // Numbers the bridges there are first, so the new one comes after them whatever was read before.
  await state.read();
  const config = await state.ctx.uci('network');
  const known = parseBridges(config);
  if (known.length >= MAX_BRIDGES) throw new UspError(ErrorCode.ResourcesExceeded, `Device.Bridging.Bridge.: the device has ${known.length} bridges, MaxBridgeEntries`);
  const options = newBridgeOptions(params);
  const devices = await state.ethernetDevices();
  const taken = new Set<string>([...known.map((b) => b.name), ...Object.keys(devices), ...config.map((s) => stringOption(s.options.name) ?? '')]);
  let n = 1;
  while (taken.has(`${CREATED_PREFIX}${n}`)) n++;
  const name = `${CREATED_PREFIX}${n}`;
  await state.write(async (s) => {
    const section = await s.add('device');
    await s.set({ section, option: 'name', value: name });
    await s.set({ section, option: 'type', value: 'bridge' });
    for (const [option, value] of options) await s.set({ section, option, value });
  });
  return name;
}

/** Deletes bridge `b` with its VLAN sections; 7024 while an interface uses it. */
export async function deleteBridge(state: BridgingState, b: BridgeRow): Promise<void> {
  const config = await state.ctx.uci('network');
  const { name, section } = b.config;
  if (config.find((s) => s.name === section)?.type !== 'device') {
    throw new UspError(ErrorCode.DeleteFailure, `${name} is the bridge of interface ${section} (type bridge): it goes with that IP.Interface`);
  }
  const users = config.filter((s) => {
    const device = stringOption(s.options.device);
    return s.type === 'interface' && (device === name || device?.startsWith(`${name}.`));
  });
  if (users.length > 0) {
    throw new UspError(ErrorCode.DeleteFailure, `${name} carries interface ${users.map((u) => u.name).join(', ')}: move it (its LowerLayers) or delete it first`);
  }
  const vlans = config.filter((s) => s.type === 'bridge-vlan' && stringOption(s.options.device) === name);
  await state.write(async (s) => {
    for (const v of vlans) await s.remove(v.name);
    await s.remove(section);
  });
  state.bridges.retire(name);
}
