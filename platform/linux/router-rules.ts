/**
 * How an added Device.Routing.Router.{i} (i > 1) is a routing instance of the Linux kernel: a
 * routing table of its own, ROUTER_TABLE_BASE + i (above the forwarding-policy tables
 * 0x5100..0x51ff of policy-routing.ts, so the two never meet), and one `ip rule` per
 * IP.Interface whose Router names it: `iif DEV lookup TABLE pref ROUTER_RULE_PREF`, for IPv4 and
 * IPv6. Packets arriving on that interface are routed by the router's table; one its table has
 * no route for goes on to the next rules (the policy tables, then main: Router.1), as a policy
 * table's does. The rule priority is below the policy rules' (0x5100+N), so an interface moved
 * to a router is routed by it before any forwarding policy of Router.1.
 *
 * Pure: what the rules are and which `ip rule` commands turn the kernel's into them.
 */

/** Routing table of Router.{i} (i > 1): ROUTER_TABLE_BASE + i. */
export const ROUTER_TABLE_BASE = 0x5200;
/** The priority of every router rule: one per interface, so they never overlap. Below POLICY_TABLE_BASE. */
export const ROUTER_RULE_PREF = 0x5080;

/** The kernel routing table of Router.{n}. */
export const routerTable = (n: number): number => ROUTER_TABLE_BASE + n;

/** One router rule: packets arriving on `iif` are routed by table `table`. */
export interface RouterRule {
  iif: string;
  table: number;
}

/** `ip rule add|del` arguments (after add/del) of rule `r`. */
export function routerRuleArgs(r: RouterRule): string[] {
  return ['iif', r.iif, 'lookup', String(r.table), 'pref', String(ROUTER_RULE_PREF)];
}

/** The router rules in `ip -json rule show` output: those at ROUTER_RULE_PREF with an iif and a numbered table. */
export function parseRouterRules(json: string): RouterRule[] {
  let rules: unknown;
  try {
    rules = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(rules)) return [];
  return (rules as Array<{ priority?: unknown; iif?: unknown; table?: unknown }>).flatMap((r) => {
    const table = Number(r?.table);
    return r?.priority === ROUTER_RULE_PREF && typeof r.iif === 'string' && Number.isInteger(table) ? [{ iif: r.iif, table }] : [];
  });
}

const same = (a: RouterRule, b: RouterRule): boolean => a.iif === b.iif && a.table === b.table;

/** The `ip rule` commands (argv after `ip FAMILY rule`) that turn the rules `present` into `wanted`: deletions first. */
export function planRouterRules(present: readonly RouterRule[], wanted: readonly RouterRule[]): string[][] {
  const del = present.filter((p) => !wanted.some((w) => same(p, w))).map((r) => ['del', ...routerRuleArgs(r)]);
  const add = wanted.filter((w) => !present.some((p) => same(p, w))).map((r) => ['add', ...routerRuleArgs(r)]);
  return [...del, ...add];
}
