/**
 * Device.Bridging. on OpenWrt (TR-181 Bridge:1, VLANBridge:1) from the network configuration
 * (`uci -q -X show network`) and the cached `ubus call network.device status`:
 *
 * - Bridge.{i}: each bridge device (bridge-config.ts); Enable from its `enabled` option, Status
 *   Enabled while netifd has it up; Standard 802.1Q-2011 once it filters VLANs (it has
 *   bridge-vlan sections), else 802.1D-2004; AgingTime from `ageing_time` (the kernel's 300 s
 *   when unset). Read-only here: bridges are created and stacked by the network configuration.
 * - Bridge.{i}.Port.{i}: Port.1 is the management port, the bridge device itself, whose
 *   LowerLayers lists the other ports (TR-181 ManagementPort); then one port per configured
 *   member, then members netifd added at run time (Wi-Fi interfaces of a wifi-iface with
 *   `network`). A member's LowerLayers is its Ethernet.Interface (or WiFi.SSID); PVID follows
 *   netifd's choice (bridge-config.ts portPvid). Status and Enable from network.device status.
 * - VLAN.{i} and VLANPort.{i}: bridging-vlan.ts (read-write, through UCI).
 */
import { registerBridgeVlans } from './bridging-vlan.js';
import { type BridgeRow, BridgingState, portPath } from './BridgingState.js';
import { portPvid } from './bridge-config.js';
import { noSuchInstance } from './convert.js';
import { type BridgeStack, deviceStatus, type EthernetLinks } from './ethernet.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { UciWriter } from './uci.js';
import type { WiFiState } from './WiFiState.js';

/** Linux's bridge forwarding-database ageing time when `ageing_time` is not set, seconds. */
const KERNEL_AGING_TIME = 300;
/** Device.Bridging.Bridge.{i}.AgingTime's range. */
const AGING_RANGE = [10, 1_000_000] as const;

/**
 * Serves Device.Bridging.Bridge.{i}. with its Port, VLAN and VLANPort tables; returns how the
 * Ethernet.Link of a bridge device finds its management port (its LowerLayers).
 */
export function registerBridging(ctx: OpenWrtContext, ethernet: EthernetLinks, wifi: WiFiState, uci: UciWriter): Required<BridgeStack> {
  const { model } = ctx;
  const state = new BridgingState(ctx, ethernet, wifi, uci);

  model.register('Device.Bridging.Bridge.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'Standard', 'AgingTime'],
    list: async () => state.bridges.list((await state.read()).map((b) => b.config.name)),
    get: async ([n]) => {
      const b = await state.bridge(n);
      const { name, enabled, vlanAware, agingTime } = b.config;
      return {
        Enable: enabled,
        Status: enabled && b.devices[name]?.up === true ? 'Enabled' : 'Disabled',
        Alias: `cpe-${name}`,
        Name: name,
        Standard: vlanAware ? '802.1Q-2011' : '802.1D-2004',
        AgingTime: Math.min(AGING_RANGE[1], Math.max(AGING_RANGE[0], agingTime ?? KERNEL_AGING_TIME)),
      };
    },
  });

  model.register('Device.Bridging.Bridge.{i}.Port.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LowerLayers', 'ManagementPort', 'Type', 'PVID'],
    list: async ([b]) =>
      (await state.read())
        .find((r) => r.n === b)
        ?.ports.map((p) => p.n)
        .sort((x, y) => x - y) ?? [],
    get: async ([bn, pn]) => {
      const b = await state.bridge(bn);
      const p = b.ports.find((r) => r.n === pn);
      if (!p) throw noSuchInstance('bridge port', pn);
      const d = b.devices[p.name];
      return {
        Enable: d?.up === true,
        Status: d ? deviceStatus(d) : 'NotPresent',
        Alias: `cpe-${p.name}`,
        Name: p.name,
        LowerLayers: p.management ? memberPaths(b) : await state.lowerLayer(p.name),
        ManagementPort: p.management,
        // An 802.1D bridge has no VLANs: its ports are "VLAN-unaware" and PVID is ignored (1).
        Type: b.config.vlanAware ? 'CustomerVLANPort' : 'VLANUnawarePort',
        PVID: p.management ? 1 : portPvid(b.config, p.name),
      };
    },
  });

  registerBridgeVlans(state);
  return {
    managementPort: async (name) => {
      const b = (await state.read()).find((r) => r.config.name === name);
      const p = b?.ports.find((r) => r.management);
      return b && p ? portPath(b, p) : '';
    },
  };
}

/** The management port's LowerLayers: every other port of its bridge (TR-181 Port.LowerLayers). */
function memberPaths(b: BridgeRow): string {
  return b.ports
    .filter((p) => !p.management)
    .map((p) => portPath(b, p))
    .join(',');
}
