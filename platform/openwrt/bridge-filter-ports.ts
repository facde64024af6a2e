/**
 * What the Bridging.Filter table (platform/linux/bridge-filter.ts) needs of OpenWrt's bridges,
 * from the Bridge and Port rows of BridgingState (netifd's configuration and device status): the
 * bridge and member device a reference names, their paths now, whether a bridge filters VLANs,
 * and which members a switch forwards between in hardware (bridge-switch-ports.ts).
 */
import type { BridgePortNames } from '../linux/bridging.js';
import { switchForwarded } from './bridge-switch-ports.js';
import { type BridgeRow, type BridgingState, portPath } from './BridgingState.js';

const BRIDGE_REF = /^Device\.Bridging\.Bridge\.(\d+)$/;
const PORT_REF = /^Device\.Bridging\.Bridge\.(\d+)\.Port\.(\d+)$/;

export interface OpenWrtFilterPorts {
  names: BridgePortNames;
  vlanAware(bridge: string): Promise<boolean>;
  unfilterable(bridge: string, dev: string): Promise<string | undefined>;
}

export function openWrtFilterPorts(state: BridgingState, sysNetDir: string): OpenWrtFilterPorts {
  const byName = async (bridge: string): Promise<BridgeRow | undefined> => (await state.read()).find((b) => b.config.name === bridge);
  const names: BridgePortNames = {
    port: async (ref) => {
      const m = PORT_REF.exec(ref);
      if (!m) return undefined;
      const b = (await state.read()).find((r) => r.n === Number(m[1]));
      const p = b?.ports.find((r) => r.n === Number(m[2]));
      if (!b || !p) return undefined;
      return { bridge: b.config.name, dev: p.name, management: p.management, up: b.devices[p.name]?.up === true };
    },
    bridge: async (ref) => {
      const m = BRIDGE_REF.exec(ref);
      return m ? (await state.read()).find((r) => r.n === Number(m[1]))?.config.name : undefined;
    },
    portPath: async (bridge, dev) => {
      const b = await byName(bridge);
      const p = b?.ports.find((r) => r.name === dev);
      return b && p ? portPath(b, p) : undefined;
    },
    bridgePath: async (bridge) => {
      const b = await byName(bridge);
      return b ? `Device.Bridging.Bridge.${b.n}` : undefined;
    },
  };
  return {
    names,
    vlanAware: async (bridge) => (await byName(bridge))?.config.vlanAware === true,
    unfilterable: async (bridge, dev) => {
      const b = await byName(bridge);
      if (!b) return undefined;
      return switchForwarded(
        sysNetDir,
        dev,
        b.ports.filter((p) => !p.management).map((p) => p.name),
        b.devices,
      );
    },
  };
}
