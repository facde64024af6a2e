/**
 * What Device.VXLAN.Filter.{i}. becomes on Linux: the agent's own nftables `inet` table. TR-181
 * has a Filter mark the outer IP header of the traffic it picks, so the table works on the
 * delivery packets, not on the frames: the kernel sends each VXLAN packet of the agent's devices
 * through the host's own IP output (LOCAL_OUT), where an `output` chain sets its DSCP before it
 * leaves. The encapsulated frame is untouched.
 *
 * - A delivery packet is told apart by what the kernel lets no two VXLAN devices share: its UDP
 *   destination port (the Tunnel's RemotePort), the VNI in its VXLAN header (`@th,96,24`) and,
 *   where the device has one (LowerLayers), its source address. Each Interface with a Filter gets
 *   a chain, reached from `output` by that match; it holds the Filters that apply to it in Order.
 * - VLANIDCheck is read from the encapsulated frame behind the VXLAN header: its first tag
 *   (TPID 0x8100 or 0x88a8, `@th,224,16`) and that tag's VLAN ID (`@th,244,12`). With
 *   VLANIDExclude, an untagged frame or another VLAN ID matches.
 * - DSCPMarkPolicy: a value is set (`ip dscp set`, `ip6 dscp set`); -2 (automatic, a local
 *   matter) leaves what the device wrote, its Tunnel's DefaultDSCPMark, and no later Filter
 *   applies; -1 copies the DSCP of the IPv4 or IPv6 packet in the frame (behind at most one tag),
 *   through a verdict map to one chain per DSCP value, because nftables sets a field narrower than
 *   a byte only to a constant. A frame with no IP packet has no DSCP to copy: 0, as the kernel's
 *   own `tos inherit` gives it. The ECN bits stay as the kernel encapsulated them.
 *
 * Traffic no Filter matches keeps the device's DSCP: the Tunnel's DefaultDSCPMark (TR-181's
 * default treatment). The table is replaced whole in one `nft -f -` transaction, so a refused
 * script leaves the rules as they were and no other table is touched.
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import { inOrder } from '../bridge-filter-rules.js';
import { filterAppliesTo } from '../vxlan-filter-rules.js';

/** The table the agent owns. */
export const DEFAULT_VXLAN_FILTER_TABLE = 'usp_agent_vxlan_filter';

/** One of the agent's VXLAN devices as its delivery packets show it. */
export interface VxlanFilterTarget {
  tunnel: number;
  iface: number;
  vni: number;
  /** UDP destination port (RemotePort). */
  port: number;
  /** The delivery header's family (DeliveryHeaderProtocol). */
  ipv6: boolean;
  /** The source address, where the device has one (`local`). */
  local?: string;
}

/** An enabled Filter in effect: its instance number and row. */
export interface CompiledVxlanFilter {
  n: number;
  values: Readonly<Record<string, Value>>;
}

/** The first tag of the encapsulated frame: 802.1Q C-tag or S-tag. */
const TAGGED = '@th,224,16 { 0x8100, 0x88a8 }';
const UNTAGGED = '@th,224,16 != { 0x8100, 0x88a8 }';
const VLAN_ID = '@th,244,12';
const COPY_CHAIN = 'copy_inner_dscp';

/**
 * Where the inner packet's DSCP is, in bits from the UDP header: the Ethernet type/TPID at 28
 * bytes, the IPv4 TOS byte or the IPv6 traffic class right after it; 32 bits later behind a tag.
 */
const INNER_DSCP: ReadonlyArray<{ ethertype: string; tagged: boolean; at: number }> = [
  { ethertype: '0x0800', tagged: false, at: 248 },
  { ethertype: '0x0800', tagged: true, at: 280 },
  { ethertype: '0x86dd', tagged: false, at: 244 },
  { ethertype: '0x86dd', tagged: true, at: 276 },
];

const int = (v: Value | undefined, dflt: number): number => {
  const n = Number(v ?? dflt);
  return Number.isInteger(n) ? n : dflt;
};

/** The match(es) of a Filter's VLANIDCheck: one rule each; [''] when it is not used. */
export function vlanMatches(r: Readonly<Record<string, Value>>): string[] {
  const vid = int(r.VLANIDCheck, -1);
  if (vid < 0) return [''];
  if (r.VLANIDExclude !== true) return [`${TAGGED} ${VLAN_ID} ${vid}`];
  return [UNTAGGED, `${TAGGED} ${VLAN_ID} != ${vid}`];
}

/** What a matching packet gets (DSCPMarkPolicy), ending the Filters of its Interface. */
export function markAction(r: Readonly<Record<string, Value>>, ipv6: boolean): string {
  const policy = int(r.DSCPMarkPolicy, -1);
  if (policy === -1) return `jump ${COPY_CHAIN}`;
  if (policy < 0) return 'accept';
  return `${ipv6 ? 'ip6' : 'ip'} dscp set ${policy} accept`;
}

/** The `output` rule that sends `t`'s delivery packets to its chain. */
export function targetMatch(t: VxlanFilterTarget): string {
  const family = t.ipv6 ? 'ipv6' : 'ipv4';
  const local = t.local !== undefined && isIP(t.local) === (t.ipv6 ? 6 : 4) ? ` ${t.ipv6 ? 'ip6' : 'ip'} saddr ${t.local}` : '';
  return `meta nfproto ${family}${local} udp dport ${t.port} @th,96,24 ${t.vni}`;
}

const chainOf = (t: VxlanFilterTarget): string => `tunnel${t.tunnel}_interface${t.iface}`;

/** The chain copying the inner DSCP (-1) and the 64 chains it jumps to. */
function copyChains(): string[] {
  const out = [`  chain ${COPY_CHAIN} {`];
  for (const { ethertype, tagged, at } of INNER_DSCP) {
    const frame = tagged ? `${TAGGED} @th,256,16 ${ethertype}` : `@th,224,16 ${ethertype}`;
    const map = Array.from({ length: 64 }, (_, d) => `${d} : jump dscp_${d}`).join(', ');
    out.push(`    ${frame} @th,${at},6 vmap { ${map} }`);
  }
  out.push('    jump dscp_0', '  }');
  for (let d = 0; d < 64; d++) out.push(`  chain dscp_${d} {`, `    meta nfproto ipv4 ip dscp set ${d} accept`, `    meta nfproto ipv6 ip6 dscp set ${d} accept`, '  }');
  return out;
}

/** The lines of the table body: `output`, one chain per Interface with Filters, and the copy chains when a Filter copies. */
export function vxlanFilterChains(filters: readonly CompiledVxlanFilter[], targets: readonly VxlanFilterTarget[]): string[] {
  const ordered = inOrder(filters.map((f): [number, Readonly<Record<string, Value>>] => [f.n, f.values]));
  const out = ['  chain output {', '    type filter hook output priority mangle; policy accept;'];
  const chains: string[] = [];
  let copies = false;
  for (const t of [...targets].sort((a, b) => a.tunnel - b.tunnel || a.iface - b.iface)) {
    const rows = ordered.filter(([, r]) => filterAppliesTo(r, t.tunnel, t.iface));
    if (rows.length === 0) continue;
    out.push(`    ${targetMatch(t)} jump ${chainOf(t)} comment "Device.VXLAN.Tunnel.${t.tunnel}.Interface.${t.iface}"`);
    chains.push(`  chain ${chainOf(t)} {`);
    for (const [n, r] of rows) {
      const action = markAction(r, t.ipv6);
      copies ||= action === `jump ${COPY_CHAIN}`;
      for (const m of vlanMatches(r)) chains.push(`    ${m === '' ? '' : `${m} `}${action} comment "Device.VXLAN.Filter.${n}"`);
    }
    chains.push('  }');
  }
  out.push('  }', ...chains);
  if (copies) out.push(...copyChains());
  return out;
}

/** The script replacing table `inet <table>`; with no Filter in effect the table goes. */
export function vxlanFilterScript(table: string, filters: readonly CompiledVxlanFilter[], targets: readonly VxlanFilterTarget[]): string {
  const out = [`table inet ${table} {}`, `delete table inet ${table}`];
  if (filters.length > 0) out.push(`table inet ${table} {`, ...vxlanFilterChains(filters, targets), '}');
  return `${out.join('\n')}\n`;
}

/** A frame inside a delivery packet, as a test describes it. */
export interface InnerFrame {
  /** The first tag's VLAN ID; undefined: untagged. */
  vlan?: number;
  /** The DSCP of its IP packet; undefined: not IP. */
  dscp?: number;
}

/**
 * The same decision the table makes, for a test to compare with: the outer DSCP of a delivery
 * packet of `t` carrying `frame`, when the device wrote `deviceDscp` (DefaultDSCPMark).
 */
export function outerDscp(filters: readonly CompiledVxlanFilter[], t: VxlanFilterTarget, frame: InnerFrame, deviceDscp: number): number {
  for (const [, r] of inOrder(filters.map((f): [number, Readonly<Record<string, Value>>] => [f.n, f.values]))) {
    if (!filterAppliesTo(r, t.tunnel, t.iface)) continue;
    const vid = int(r.VLANIDCheck, -1);
    const same = frame.vlan !== undefined && frame.vlan === vid;
    if (vid >= 0 && (r.VLANIDExclude === true ? same : !same)) continue;
    const policy = int(r.DSCPMarkPolicy, -1);
    return policy === -1 ? (frame.dscp ?? 0) : policy === -2 ? deviceDscp : policy;
  }
  return deviceDscp;
}
