/**
 * The start switches that keep the agent from serving one of the objects it puts into effect with
 * nftables and tc of its own (`--captive-portal off`, `--bridge-filter off`, `--qos off`). Left
 * out (undefined) an object is served wherever its tools and CAP_NET_ADMIN are present; false
 * means not served at all: not in GetSupportedDM, and nothing written to nft or tc. An operator
 * whose own firewall scripts or traffic shaping own those tables turns them off.
 */

/** Which switchable objects are on; undefined: on where they can be put into effect. */
export interface ServiceSwitches {
  /** Device.CaptivePortal. (Linux, OpenWrt): the agent's `inet usp_agent_captive` table and redirect responder. */
  captivePortal?: boolean;
  /** Device.Bridging.Filter.{i}. (Linux, OpenWrt): the agent's bridge filter nftables table. */
  bridgeFilter?: boolean;
  /** Device.QoS. (Linux, OpenWrt): the agent's classification nftables table and tc queues. */
  qos?: boolean;
}

/** One switch: its option, defaults-file key, OpenWrt UCI option and the object it serves. */
export interface ServiceSwitch {
  name: keyof ServiceSwitches;
  flag: string;
  key: string;
  uci: string;
  object: string;
}

export const SERVICE_SWITCHES: readonly ServiceSwitch[] = [
  { name: 'captivePortal', flag: 'captive-portal', key: '$captivePortal', uci: 'captive_portal', object: 'Device.CaptivePortal.' },
  { name: 'bridgeFilter', flag: 'bridge-filter', key: '$bridgeFilter', uci: 'bridge_filter', object: 'Device.Bridging.Filter.' },
  { name: 'qos', flag: 'qos', key: '$qos', uci: 'qos', object: 'Device.QoS.' },
];

/** Whether `name` may be served; logs why not when switched off. */
export function switchedOn(switches: ServiceSwitches | undefined, name: keyof ServiceSwitches, log?: { info(msg: string, fields?: Record<string, unknown>): void }): boolean {
  if (switches?.[name] !== false) return true;
  const s = SERVICE_SWITCHES.find((x) => x.name === name)!;
  log?.info(`${s.object} not served`, { why: `--${s.flag} off` });
  return false;
}
