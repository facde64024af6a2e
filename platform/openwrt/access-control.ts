/**
 * Device.Hosts.AccessControl.{i}. on OpenWrt: the rows are the agent's (its store, like the
 * Linux platform's), and take effect as UCI firewall `rule` sections the agent owns, read by
 * fw4 (and firewall3) at `/etc/init.d/firewall reload`:
 *
 * - a row that blocks all the time (AccessPolicy Deny, or Allow with windows leaving no time
 *   open) is one section `usp_ac_<n>`; a row with Schedule windows is one section
 *   `usp_ac_<n>_<k>` per group of days blocked at the same hours outside its windows
 *   (access-week.ts), with `weekdays`, `start_time` and `stop_time` (local time, fw4's default);
 * - each: `src lan`, `dest wan` (`*` where the zone is missing), `src_mac`, `proto all` (fw4's
 *   default is tcp and udp only), `target REJECT`, `name` naming the row's path; LuCI lists them
 *   as ordinary traffic rules.
 *
 * A change writes only what differs from the sections there (options set or deleted, sections
 * created or deleted) in one UCI transaction, commits and reloads; a failure reverts (uci.ts),
 * the store is put back and the change answers 7003. Deleting a section renumbers libuci's
 * anonymous sections after it: the renames are told to the firewall's other tables (NAT port
 * mappings) through OpenWrtContext, so their instances stay. Sections named `usp_ac_*` that no
 * row makes (left by an earlier data directory) are removed at the first write.
 */
import type { AccessRule } from '../access-control/access-rows.js';
import type { AccessBackend } from '../access-control/AccessControlTables.js';
import { clockText, DAY_S, groupByHours } from '../access-control/access-week.js';
import { FIREWALL_RELOAD } from './nat.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { UciWriter } from './uci.js';
import { stringOption, type UciConfig } from './uci-show.js';
import { trackedUciWrite } from './uci-tracked-write.js';

/** The sections the agent owns in the firewall config. */
const OWN_SECTION = /^usp_ac_\d+(?:_\d+)?$/;
/** fw4's weekday names (fw3's `--weekdays` form), Monday first as in access-week.ts. */
const FW_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** One section the rules need: its name and options (in the order written). */
export interface RuleSection {
  name: string;
  options: Array<[string, string]>;
}

/** The firewall rule sections of `rules`, given the zones the config has. */
export function ruleSections(rules: readonly AccessRule[], zones: ReadonlySet<string>): RuleSection[] {
  const src = zones.has('lan') ? 'lan' : '*';
  const dest = zones.has('wan') ? 'wan' : '*';
  const out: RuleSection[] = [];
  for (const rule of rules) {
    const n = /\.(\d+)$/.exec(rule.path)?.[1] ?? '0';
    const base: Array<[string, string]> = [
      ['name', `usp-agent ${rule.path}`],
      ['src', src],
      ['dest', dest],
      ['src_mac', rule.mac],
      ['proto', 'all'],
      ['target', 'REJECT'],
    ];
    if (rule.blocking.kind === 'always') {
      out.push({ name: `usp_ac_${n}`, options: base });
      continue;
    }
    groupByHours(rule.blocking.segments).forEach((g, k) => {
      const options: Array<[string, string]> = [...base, ['weekdays', g.days.map((d) => FW_DAYS[d]).join(' ')]];
      if (!(g.start === 0 && g.end === DAY_S)) options.push(['start_time', clockText(g.start)], ['stop_time', clockText(g.end - 1)]);
      out.push({ name: `usp_ac_${n}_${k + 1}`, options });
    });
  }
  return out;
}

/** The rules as UCI firewall rule sections, changed in place at each write. */
export class UciAccessBackend implements AccessBackend {
  readonly name = 'UCI firewall rules usp_ac_*';
  /** fw4 writes a rule's src_mac as `ether saddr <mac>`: UCI has no mask for it. */
  readonly maskRefusal = "fw4 (OpenWrt's firewall) matches whole MAC addresses only (a rule's src_mac)";

  constructor(
    private readonly ctx: OpenWrtContext,
    private readonly uci: UciWriter,
  ) {}

  async apply(rules: readonly AccessRule[]): Promise<void> {
    const config: UciConfig = await this.ctx.uci('firewall');
    const zones = new Set(config.filter((s) => s.type === 'zone').map((s) => stringOption(s.options.name) ?? ''));
    const want = ruleSections(rules, zones);
    const have = new Map(config.filter((s) => OWN_SECTION.test(s.name)).map((s) => [s.name, s]));
    const wanted = new Set(want.map((w) => w.name));
    const gone = [...have.keys()].filter((name) => !wanted.has(name));
    const changes = want.flatMap((w) => {
      const s = have.get(w.name);
      const set = w.options.filter(([o, v]) => stringOption(s?.options[o]) !== v).map(([option, value]) => ({ section: w.name, option, value }));
      const keep = new Set(w.options.map(([o]) => o));
      const drop = s ? Object.keys(s.options).filter((o) => !keep.has(o)) : [];
      return [{ create: !s || s.type !== 'rule', name: w.name, set, drop }];
    });
    if (gone.length === 0 && changes.every((c) => !c.create && c.set.length === 0 && c.drop.length === 0)) return;
    const before = config.map((s) => s.name);
    const after = async (): Promise<string[]> => (await this.ctx.uci('firewall')).map((s) => s.name);
    const { renames } = await trackedUciWrite(
      this.uci,
      'firewall',
      FIREWALL_RELOAD,
      before,
      after,
      () => this.ctx.forgetUci('firewall'),
      async (stage) => {
        for (const name of gone) await stage.remove(name);
        for (const c of changes) {
          if (c.create) await stage.create(c.name, 'rule');
          for (const option of c.drop) await stage.set({ section: c.name, option, value: '', remove: true });
          for (const s of c.set) await stage.set(s);
        }
      },
    );
    // Only the anonymous sections others keep rows for are worth telling about.
    const moved = renames.filter(([from]) => !OWN_SECTION.test(from));
    if (moved.length > 0) this.ctx.renamedUci('firewall', moved);
  }
}
