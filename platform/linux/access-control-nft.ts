/**
 * Device.Hosts.AccessControl.{i}. on generic Linux: one nftables table the agent owns
 * (`inet usp_agent_access`), a filter chain on the forward hook that drops what a blocked
 * device sends through the router (it still reaches the router itself: DHCP, DNS). Each
 * blocking row (access-rows.ts) becomes
 *
 * - `ether saddr <mac> drop` for a row that blocks all the time (AccessPolicy Deny, or Allow
 *   with windows that leave no time open), or
 * - one `ether saddr <mac> meta day { … } [meta hour "hh:mm:ss"-"hh:mm:ss"] drop` per group
 *   of days blocked at the same hours outside its Schedule windows. nft turns those hours
 *   into UTC when it loads the table, in the zone of its own TZ: it runs with TZ set to
 *   Device.Time.LocalTimeZone (ScheduleBook.commandEnv), the zone Schedule Status counts in, and
 *   the table is written again when that zone's offset moves.
 *
 * A row with a PhysAddressMask (FF:FF:FF:00:00:00: every device of one OUI) matches
 * `ether saddr & <mask> == <PhysAddress under the mask>` in place of `ether saddr <mac>`.
 *
 * Like the NAT table (nat.ts, nat-rules.ts) the whole table is replaced in one `nft -f -`
 * transaction, so a failure leaves the rules as they were; with no blocking row the table goes.
 * The table stays when the agent stops (a restart must not open the LAN), and is written again
 * from the stored rows at start. Each rule's comment is its row's path.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { AccessRule } from '../access-control/access-rows.js';
import type { AccessBackend } from '../access-control/AccessControlTables.js';
import { clockText, DAY_S, groupByHours, WEEKDAYS } from '../access-control/access-week.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { effectiveCapabilities } from './packet-classes.js';
import { nftUsable } from './nft-usable.js';

/** The table the agent owns (family inet: IPv4 and IPv6 alike). */
export const DEFAULT_ACCESS_TABLE = 'usp_agent_access';

/**
 * Whether the agent may keep its access control table: the setting (`--access-control
 * nftables|off`; undefined = on where possible), `nft` installed and the agent holding
 * CAP_NET_ADMIN. `why` says what is missing, for the start-up line.
 */
export function accessControlUsable(setting: boolean | undefined, nftPath: string | undefined, capEffHex = effectiveCapabilities()): { usable: boolean; why?: string } {
  return nftUsable(nftPath, capEffHex, setting === false ? '--access-control off' : undefined);
}

/** The nft rules of one blocking row. */
export function accessRules(rule: AccessRule): string[] {
  const head = rule.mask === undefined ? `ether saddr ${rule.mac}` : `ether saddr & ${rule.mask} == ${rule.mac}`;
  const tail = `drop comment "${rule.path}"`;
  if (rule.blocking.kind === 'always') return [`${head} ${tail}`];
  return groupByHours(rule.blocking.segments).map((g) => {
    const days = g.days.map((d) => `"${WEEKDAYS[d]}"`);
    const day = days.length === 1 ? `meta day ${days[0]}` : `meta day { ${days.join(', ')} }`;
    const hour = g.start === 0 && g.end === DAY_S ? '' : ` meta hour "${clockText(g.start)}"-"${clockText(g.end - 1)}"`;
    return `${head} ${day}${hour} ${tail}`;
  });
}

/**
 * The nft script replacing table `inet <table>` with `rules`, as one transaction: the table is
 * created (if missing) and deleted first, so the old rules stay whole if any line fails. With
 * no rule the table goes.
 */
export function accessScript(table: string, rules: readonly AccessRule[]): string {
  const out = [`table inet ${table} {}`, `delete table inet ${table}`];
  if (rules.length === 0) return `${out.join('\n')}\n`;
  out.push(`table inet ${table} {`, '  chain forward {', '    type filter hook forward priority filter; policy accept;', ...rules.flatMap(accessRules).map((r) => `    ${r}`), '  }', '}');
  return `${out.join('\n')}\n`;
}

/** The rules as the agent's nftables table, rewritten whole at each change. */
export class NftAccessBackend implements AccessBackend {
  readonly name: string;
  /** The table was written by this run: with no rules and nothing written, netfilter is left alone. */
  private written = false;

  constructor(
    private readonly runner: CommandRunner,
    readonly table = DEFAULT_ACCESS_TABLE,
    private readonly log?: Logger,
    /** The environment nft runs with so its `meta hour` counts in the device's zone (ScheduleBook.commandEnv); default the agent's. */
    private readonly env: () => Promise<Record<string, string> | undefined> = async () => undefined,
  ) {
    this.name = `nftables table inet ${table}`;
  }

  async apply(rules: readonly AccessRule[]): Promise<void> {
    if (rules.length === 0 && !this.written) return;
    const env = await this.env();
    await this.runner.run('nft', ['-f', '-'], { input: accessScript(this.table, rules), display: `nft -f - (table inet ${this.table})`, ...(env ? { env } : {}) });
    this.written = true;
    this.log?.debug('access control rules written', { table: `inet ${this.table}`, rules: rules.length });
  }
}
