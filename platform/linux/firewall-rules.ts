/**
 * The nftables table behind Device.Firewall. on generic Linux (TR-181 SimpleFirewall:1): what
 * Config High and Low become, as one `nft -f -` script that replaces the agent's table whole.
 *
 * Both levels are TR-181's "Traffic Denied Inbound": what arrives on a WAN interface (one that
 * carries a default route, as Ethernet.Interface.Upstream reads it) is dropped unless it belongs
 * to a connection the device or a LAN host opened (conntrack established/related), or a NAT
 * PortMapping forwards it (conntrack dnat: TR-181's "pinhole-defined inbound traffic"). What
 * the device itself needs from the WAN side stays open:
 *
 * - the agent's own MTP listeners (the WebSocket servers' TCP ports, the CoAP servers' UDP
 *   ports of the enabled Device.LocalAgent.MTP rows), so a Controller can always reach it;
 * - DHCP and DHCPv6 client replies (the WAN address) and the ICMPv6 that IPv6 needs (neighbour
 *   discovery, router advertisements, packet too big).
 *
 * The output hook is never filtered: the agent's own connections (to a Controller, an MQTT
 * broker, an NTP or DNS server) leave freely and their replies are established traffic.
 *
 * High adds TR-181's "Minimally Permit Common Services Outbound": a new connection a LAN host
 * forwards out of a WAN interface is let through only to the common services (COMMON_TCP,
 * COMMON_UDP, ping), else rejected (the host learns at once rather than timing out); and the
 * device no longer answers pings from the WAN side. Low lets every outbound connection through
 * and answers pings.
 */

/** The table the agent owns (family inet: IPv4 and IPv6 alike). */
export const DEFAULT_FIREWALL_TABLE = 'usp_agent_firewall';

/** The two predefined levels of Device.Firewall.Config this device implements. */
export type FirewallLevel = 'High' | 'Low';

/**
 * Outbound TCP services under High: FTP, SSH, SMTP, DNS, HTTP, POP3, IMAP, HTTPS, SMTPS,
 * submission, IMAPS, POP3S, and the alternative HTTP port.
 */
export const COMMON_TCP = [21, 22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 8080] as const;
/** Outbound UDP services under High: DNS, NTP, IKE and its NAT traversal (VPN clients), QUIC (HTTP/3). */
export const COMMON_UDP = [53, 123, 443, 500, 4500] as const;

/** What one write of the table needs. */
export interface FirewallPlan {
  level: FirewallLevel;
  /** Kernel names of the WAN interfaces. */
  wan: readonly string[];
  /** The agent's own listening ports that must stay reachable from the WAN side. */
  tcpPorts: readonly number[];
  udpPorts: readonly number[];
}

const IFNAME_RE = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** Whether `name` can stand in the script as a kernel interface name (no quote or space to escape). */
export function isIfName(name: string): boolean {
  return IFNAME_RE.test(name);
}

const set = (xs: readonly (string | number)[]): string => (xs.length === 1 ? String(xs[0]) : `{ ${xs.join(', ')} }`);
const validPorts = (ports: readonly number[]): number[] => [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536))].sort((a, b) => a - b);

/** The rules of the WAN-side input chain: what reaches the device itself. */
function inputRules(plan: FirewallPlan): string[] {
  const tcp = validPorts(plan.tcpPorts);
  const udp = validPorts(plan.udpPorts);
  return [
    'ct state established,related accept',
    'ct state invalid drop',
    'meta l4proto ipv6-icmp icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, packet-too-big } accept',
    'udp sport 67 udp dport 68 accept comment "DHCP client"',
    'udp sport 547 udp dport 546 accept comment "DHCPv6 client"',
    ...(tcp.length > 0 ? [`tcp dport ${set(tcp)} accept comment "the agent's MTP listeners"`] : []),
    ...(udp.length > 0 ? [`udp dport ${set(udp)} accept comment "the agent's MTP listeners"`] : []),
    ...(plan.level === 'Low' ? ['icmp type echo-request accept', 'icmpv6 type echo-request accept'] : []),
    'drop',
  ];
}

/** The rules of the forward chain: unsolicited inbound dropped; under High, outbound limited. */
function forwardRules(plan: FirewallPlan): string[] {
  const out = [
    'ct state established,related accept',
    'iifname @wan ct status dnat accept comment "NAT PortMapping"',
    'iifname @wan meta l4proto ipv6-icmp icmpv6 type packet-too-big accept',
    'iifname @wan drop',
  ];
  if (plan.level === 'High') {
    out.push(
      `oifname @wan tcp dport ${set(COMMON_TCP)} accept`,
      `oifname @wan udp dport ${set(COMMON_UDP)} accept`,
      'oifname @wan icmp type echo-request accept',
      'oifname @wan icmpv6 type echo-request accept',
      'oifname @wan meta l4proto tcp reject with tcp reset',
      'oifname @wan reject',
    );
  }
  return out;
}

/**
 * The script replacing table `inet <table>` with `plan` (or removing it: plan undefined), as
 * one transaction: the table is created (if missing) and deleted first, so the old rules stay
 * whole if any line fails. The agent's chains sit at priority filter + 10, after a firewall of
 * the image's own (which then still decides first what it drops).
 */
export function firewallScript(table: string, plan: FirewallPlan | undefined): string {
  const out = [`table inet ${table} {}`, `delete table inet ${table}`];
  if (plan === undefined) return `${out.join('\n')}\n`;
  const wan = plan.wan.filter(isIfName).map((n) => `"${n}"`);
  out.push(
    `table inet ${table} {`,
    '  set wan {',
    '    type ifname',
    ...(wan.length > 0 ? [`    elements = { ${wan.join(', ')} }`] : []),
    '  }',
    '  chain input {',
    '    type filter hook input priority filter + 10; policy accept;',
    '    iifname @wan jump wan_input',
    '  }',
    '  chain wan_input {',
    ...inputRules(plan).map((r) => `    ${r}`),
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter + 10; policy accept;',
    ...forwardRules(plan).map((r) => `    ${r}`),
    '  }',
    '}',
  );
  return `${out.join('\n')}\n`;
}
