/**
 * Device.Bridging. on OpenWrt (TR-181 Bridge:1, VLANBridge:1) from the network configuration
 * (`uci -q -X show network`) and the cached `ubus call network.device status`:
 *
 * - Bridge.{i}: each bridge device (bridge-config.ts); Enable from its `enabled` option, Status
 *   Enabled while netifd has it up; Standard 802.1Q-2011 once it filters VLANs (it has
 *   bridge-vlan sections or `vlan_filtering`), else 802.1D-2004; AgingTime from `ageing_time`
 *   (the kernel's 300 s when unset). Add, Delete and the Set of those three: bridge-rows.ts.
 * - Bridge.{i}.Port.{i}: bridging-port.ts (a Controller adds and deletes members of `ports`).
 *   A member's LowerLayers is its Ethernet.Interface (or WiFi.SSID); PVID follows netifd's
 *   choice (bridge-config.ts portPvid). Status and Enable from network.device status.
 * - MaxBridgeEntries = MaxDBridgeEntries = MaxQBridgeEntries: the agent lists at most MAX_BRIDGES
 *   bridges (16); MaxVLANEntries: the 4094 usable VLAN IDs of a bridge.
 * - VLAN.{i} and VLANPort.{i}: bridging-vlan.ts (read-write, through UCI).
 * - MaxFilterEntries: the Filter table's bound once bridge-filter.ts serves it, else 0.
 */
import { registerBridgeVlans } from './bridging-vlan.js';
import { addBridge, deleteBridge, setBridge } from './bridge-rows.js';
import { type BridgeRow, BridgingState, MAX_BRIDGES, portPath } from './BridgingState.js';
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_VID, MIN_VID } from './bridge-config.js';
import { registerBridgePorts } from './bridging-port.js';
import { EthernetPortWrites } from './ethernet-port-write.js';
import { type BridgeStack, type EthernetLinks } from './ethernet.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { UciWriter } from './uci.js';
import type { WiFiState } from './WiFiState.js';

/** Linux's bridge forwarding-database ageing time when `ageing_time` is not set, seconds. */
const KERNEL_AGING_TIME = 300;
/** Device.Bridging.Bridge.{i}.AgingTime's range. */
const AGING_RANGE = [10, 1_000_000] as const;

/**
 * Serves Device.Bridging.Bridge.{i}. with its Port, VLAN and VLANPort tables; returns how the
 * Ethernet.Link of a bridge device finds its management port (its LowerLayers), and the rows and
 * limits the Filter table (bridge-filter.ts) uses.
 */
export function registerBridging(
  ctx: OpenWrtContext,
  ethernet: EthernetLinks,
  wifi: WiFiState,
  uci: UciWriter,
  sysNetDir?: string,
): Required<BridgeStack> & { state: BridgingState; limits: { filters: number } } {
  const { model } = ctx;
  const state = new BridgingState(ctx, ethernet, wifi, uci);
  const limits = { filters: 0 };
  /** Aliases Controllers gave bridges, by device name ("cpe-<name>" otherwise). */
  const aliases = new Map<string, string>();

  // The bounds the agent serves: MAX_BRIDGES bridges (more are not listed), and per bridge every
  // usable VLAN ID; each bridge is both an 802.1D and an 802.1Q bridge for netifd.
  model.register('Device.Bridging.', {
    params: ['MaxBridgeEntries', 'MaxDBridgeEntries', 'MaxQBridgeEntries', 'MaxVLANEntries', 'MaxFilterEntries'],
    get: () => ({
      MaxBridgeEntries: MAX_BRIDGES,
      MaxDBridgeEntries: MAX_BRIDGES,
      MaxQBridgeEntries: MAX_BRIDGES,
      MaxVLANEntries: MAX_VID - MIN_VID + 1,
      MaxFilterEntries: limits.filters,
    }),
  });

  const values = (b: BridgeRow): Record<string, Value> => {
    const { name, enabled, vlanAware, agingTime } = b.config;
    return {
      Enable: enabled,
      Status: enabled && b.devices[name]?.up === true ? 'Enabled' : 'Disabled',
      Alias: aliases.get(name) ?? `cpe-${name}`,
      Name: name,
      Standard: vlanAware ? '802.1Q-2011' : '802.1D-2004',
      AgingTime: Math.min(AGING_RANGE[1], Math.max(AGING_RANGE[0], agingTime ?? KERNEL_AGING_TIME)),
    };
  };

  model.register('Device.Bridging.Bridge.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'Standard', 'AgingTime'],
    list: async () => state.bridges.list((await state.read()).map((b) => b.config.name)),
    get: async ([n]) => values(await state.bridge(n)),
    set: async ([n], changes) => {
      const b = await state.bridge(n);
      await setBridge(state, b, changes, values(b));
      if (typeof changes.Alias === 'string') aliases.set(b.config.name, changes.Alias);
    },
    add: async (_parent, params) => {
      const name = await addBridge(state, params);
      if (typeof params.Alias === 'string' && params.Alias !== '') aliases.set(name, params.Alias);
      return state.bridges.numberOf(name);
    },
    delete: async ([n]) => {
      const b = await state.bridge(n);
      await deleteBridge(state, b);
      state.withoutManagement.delete(b.config.name); // a new bridge by this name starts with its management row
      aliases.delete(b.config.name);
    },
  });

  registerBridgePorts(state, new EthernetPortWrites(ctx, uci), sysNetDir);
  registerBridgeVlans(state);
  return {
    state,
    limits,
    managementPort: async (name) => {
      const b = (await state.read()).find((r) => r.config.name === name);
      const p = b?.ports.find((r) => r.management);
      return b && p ? portPath(b, p) : '';
    },
  };
}
