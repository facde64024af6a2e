/**
 * Device.CaptivePortal. as the agent's own nftables table (`inet usp_agent_captive`), replaced
 * whole with one `nft -f -` transaction at each change, like the NAT, access control and
 * firewall tables: a failed write leaves the rules as they were.
 *
 * - prerouting (nat, before the usual dstnat): a new TCP connection to port 80 that comes in on
 *   a LAN-side interface, is not for the router itself and is not for an AllowedList address or
 *   prefix is redirected to the agent's redirect responder (redirect-responder.ts), which answers
 *   302 to the URL. LAN side = every interface but the WAN ones, those carrying a default route
 *   (as Ethernet.Interface.Upstream and the firewall read it): TR-181 speaks of upstream HTTP.
 * - input: the responder's port takes only connections the redirect made (ct status dnat), so a
 *   host cannot reach it directly.
 */
import type { AllowedPrefix } from '../captive-portal/captive-portal-settings.js';

export const DEFAULT_CAPTIVE_TABLE = 'usp_agent_captive';

export interface CaptivePlan {
  /** The responder's port. */
  port: number;
  /** The WAN-side devices (not redirected). */
  wan: readonly string[];
  allowed: readonly AllowedPrefix[];
}

const element = (p: AllowedPrefix): string => (p.length === (p.family === 4 ? 32 : 128) ? p.address : `${p.address}/${p.length}`);

function setLines(name: string, type: string, elements: readonly string[]): string[] {
  const body = [`    type ${type}`, '    flags interval', '    auto-merge'];
  if (elements.length > 0) body.push(`    elements = { ${elements.join(', ')} }`);
  return [`  set ${name} {`, ...body.map((l) => `  ${l}`), '  }'];
}

/**
 * The nft script replacing table `inet <table>`: created (if missing) and deleted first, then
 * written from `plan`; with no plan the table goes.
 */
export function captiveScript(table: string, plan: CaptivePlan | undefined): string {
  const out = [`table inet ${table} {}`, `delete table inet ${table}`];
  if (!plan) return `${out.join('\n')}\n`;
  const wan = plan.wan.map((d) => `"${d}"`);
  out.push(
    `table inet ${table} {`,
    '  set wan {',
    '    type ifname',
    ...(wan.length > 0 ? [`    elements = { ${wan.join(', ')} }`] : []),
    '  }',
    ...setLines('allowed4', 'ipv4_addr', plan.allowed.filter((p) => p.family === 4).map(element)),
    ...setLines('allowed6', 'ipv6_addr', plan.allowed.filter((p) => p.family === 6).map(element)),
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat - 10; policy accept;',
    '    tcp dport != 80 return',
    '    iifname @wan return',
    '    fib daddr type local return',
    '    ip daddr @allowed4 return',
    '    ip6 daddr @allowed6 return',
    `    tcp dport 80 redirect to :${plan.port} comment "Device.CaptivePortal."`,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter - 10; policy accept;',
    `    tcp dport ${plan.port} ct status dnat accept`,
    `    tcp dport ${plan.port} drop`,
    '  }',
    '}',
  );
  return `${out.join('\n')}\n`;
}
