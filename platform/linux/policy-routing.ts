/**
 * TR-181 forwarding policies on Linux (QoS Classification.{i}.ForwardingPolicy,
 * QoS.DefaultForwardingPolicy, Routing.Router.{i}.IPv4Forwarding/IPv6Forwarding.{i}.ForwardingPolicy):
 * policy routing by packet mark.
 *
 * - Policy N (0..255) is carried in bits 16..23 of the packet mark (POLICY_MASK). The QoS
 *   classifier (qos-nft.ts) puts N there; its traffic-class marks leave those bits 0, so a
 *   packet nothing marks is in policy 0, as TR-181's defaults (DefaultForwardingPolicy and
 *   ForwardingPolicy both 0) make it.
 * - A Forwarding row with ForwardingPolicy N lives in the kernel routing table
 *   POLICY_TABLE_BASE + N, and `ip rule add fwmark N<<16/0xff0000 lookup <that table> pref
 *   <the same number>` sends packets of policy N there first. Where that table has no route for
 *   a packet, the kernel goes on to the main table (Router.1's rows with ForwardingPolicy -1).
 * - The rule exists while its table holds a route the agent added: written with the first and
 *   removed with the last (route-table.ts).
 */
import type { CommandRunner } from '../exec/CommandRunner.js';

/** The bits of the packet mark that carry the forwarding policy. */
export const POLICY_MASK = 0x00ff0000;
export const MAX_FORWARDING_POLICY = 255;
/** Routing table (and ip rule priority) of policy 0; policy N uses POLICY_TABLE_BASE + N (below main's rule, 32766). */
export const POLICY_TABLE_BASE = 0x5100;

/** The mark bits of policy `n`. */
export const policyMark = (n: number): number => (n & 0xff) << 16;
/** The routing table of policy `n`. */
export const policyTable = (n: number): number => POLICY_TABLE_BASE + n;

/** The policy a route of table `table` (as `ip -json route` names it) serves; -1 for main and any table not the agent's. */
export function policyOfTable(table: string | number | undefined): number {
  const t = Number(table);
  return Number.isInteger(t) && t >= POLICY_TABLE_BASE && t <= POLICY_TABLE_BASE + MAX_FORWARDING_POLICY ? t - POLICY_TABLE_BASE : -1;
}

/** `ip rule` arguments (after add/del) of policy `n`. */
export function policyRuleArgs(n: number): string[] {
  const t = String(policyTable(n));
  return ['fwmark', `0x${policyMark(n).toString(16)}/0x${POLICY_MASK.toString(16)}`, 'lookup', t, 'pref', t];
}

/** Whether `ip -json rule show` output holds policy `n`'s rule. */
export function hasPolicyRule(json: string, n: number): boolean {
  try {
    const rules = JSON.parse(json) as Array<{ priority?: number; table?: string }>;
    return rules.some((r) => r.priority === policyTable(n) && r.table === String(policyTable(n)));
  } catch {
    return false;
  }
}

/** Makes policy `n`'s rule of `family` exist exactly while `wanted`. */
export async function syncPolicyRule(runner: CommandRunner, family: '-4' | '-6', n: number, wanted: boolean): Promise<void> {
  const present = hasPolicyRule(await runner.run('ip', [family, '-json', 'rule', 'show']), n);
  if (wanted && !present) await runner.run('ip', [family, 'rule', 'add', ...policyRuleArgs(n)]);
  if (!wanted && present) await runner.run('ip', [family, 'rule', 'del', ...policyRuleArgs(n)]);
}
