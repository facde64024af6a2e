/**
 * Device.NAT.PortMapping.{i}.AllInterfaces on OpenWrt (fw4). fw4 builds a DNAT redirect only in
 * its source zone's `dstnat_<zone>` chain and skips, with a warning, one whose `src` is '*'. So a
 * mapping on all interfaces is kept as exactly that redirect (`src '*'`: fw4 leaves it alone, and
 * LuCI shows it as from any zone), and the agent writes its rules into two nftables files of its
 * own, which fw4 includes through two `config include` sections (created once, named, so libuci
 * never renames them):
 *
 * - `usp_portmap_dstnat`: position 'chain-append' of fw4's top-level `dstnat` chain (prerouting,
 *   priority dstnat): the DNAT on any inbound interface. After the zones' jumps, so a mapping a
 *   zone's redirect also matches keeps the more specific one (nftables' nat statements end the
 *   evaluation).
 * - `usp_portmap_forward`: position 'chain-prepend' of fw4's top-level `forward` chain: the accept
 *   fw4 would give a redirect in its zone's forward chain (`ct status dnat accept`), narrowed to
 *   the mapping's internal client and ports, ahead of the zones' policies.
 *
 * The rule text is the Linux platform's (platform/linux/nat-rules.ts) for an `inet` table. Both
 * files are replaced atomically (written beside, renamed over) before the UCI write whose commit
 * and `/etc/init.d/firewall reload` load them, and restored if that write fails. A rule's comment
 * names no row: instance numbers are the agent's, section names change.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Value } from '../../datamodel/value/Value.js';
import { externalPorts, installable, mappingRule } from '../linux/nat-rules.js';
import type { UciStage } from './uci.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';

/** A redirect's `src` for every zone: fw4 skips it for DNAT, the agent's include carries it. */
export const ALL_ZONES = '*';
/** Where the include files go by default (sysupgrade keeps /etc/usp-agent/). */
export const DEFAULT_FW4_INCLUDE_DIR = '/etc/usp-agent';
const COMMENT = 'usp-agent: NAT.PortMapping on all interfaces';

/** The two includes: UCI section name, fw4 chain, position, file name. */
export const FW4_INCLUDES = [
  { section: 'usp_portmap_dstnat', chain: 'dstnat', position: 'chain-append', file: 'fw4-portmapping-dstnat.nft' },
  { section: 'usp_portmap_forward', chain: 'forward', position: 'chain-prepend', file: 'fw4-portmapping-forward.nft' },
] as const;

/** The accept of a mapping's DNATed connections in fw4's forward chain: to its client and internal ports. */
export function forwardRule(v: Readonly<Record<string, Value>>): string {
  const proto = String(v.Protocol).toLowerCase();
  const parts = ['meta nfproto ipv4'];
  if (String(v.RemoteHost ?? '') !== '') parts.push(`ip saddr ${String(v.RemoteHost)}`);
  parts.push(`ip daddr ${String(v.InternalClient)}`);
  const ports = externalPorts(v);
  const internal = Number(v.InternalPort ?? 0);
  if (!ports) parts.push(`meta l4proto ${proto}`);
  else {
    const first = internal === 0 ? ports[0] : internal;
    const last = first + ports[1] - ports[0];
    parts.push(`${proto} dport ${last > first ? `${first}-${last}` : first}`);
  }
  parts.push('ct status dnat accept', `comment "${COMMENT}"`);
  return parts.join(' ');
}

/** The two files' text for the mappings on all interfaces (each row's values); disabled or incomplete rows give no rule. */
export function allInterfacesRules(rows: ReadonlyArray<Readonly<Record<string, Value>>>): { dstnat: string; forward: string } {
  const on = rows.map((values) => ({ path: COMMENT, values: { ...values, AllInterfaces: true } })).filter((m) => installable(m));
  const text = (lines: string[]): string => ['# Written by usp-agent (Device.NAT.PortMapping with AllInterfaces); replaced on every change.', ...lines, ''].join('\n');
  return { dstnat: text(on.map((m) => mappingRule(m, 'inet'))), forward: text(on.map((m) => forwardRule(m.values))) };
}

/** Whether a redirect section is a mapping on all interfaces. */
export function onAllInterfaces(s: UciSection): boolean {
  return stringOption(s.options.src) === ALL_ZONES;
}

/** The include files of `dir`, written and loaded by fw4. */
export class Fw4PortMappingIncludes {
  constructor(readonly dir: string) {}

  /**
   * Replaces both files with the rules of `rows`; resolves with an undo that puts the previous
   * contents back (or removes files that did not exist).
   */
  async write(rows: ReadonlyArray<Readonly<Record<string, Value>>>): Promise<() => Promise<void>> {
    const texts = allInterfacesRules(rows);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o755 });
    const previous: Array<[string, string | undefined]> = [];
    for (const inc of FW4_INCLUDES) {
      const file = path.join(this.dir, inc.file);
      previous.push([file, await fs.readFile(file, 'utf8').catch(() => undefined)]);
      await replaceFile(file, inc.chain === 'dstnat' ? texts.dstnat : texts.forward);
    }
    return async () => {
      for (const [file, text] of previous) await (text === undefined ? fs.rm(file, { force: true }) : replaceFile(file, text));
    };
  }

  /** Stages the `config include` sections that `config` lacks (or whose path is not ours). */
  async stageSections(stage: UciStage, config: UciConfig): Promise<void> {
    for (const inc of FW4_INCLUDES) {
      const file = path.join(this.dir, inc.file);
      const have = config.find((s) => s.name === inc.section && s.type === 'include');
      const want: Array<[string, string]> = [
        ['type', 'nftables'],
        ['path', file],
        ['position', inc.position],
        ['chain', inc.chain],
      ];
      if (!have) await stage.create(inc.section, 'include');
      for (const [option, value] of want) if (stringOption(have?.options[option]) !== value) await stage.set({ section: inc.section, option, value });
    }
  }
}

/** Writes `text` beside `file` and renames it over, so fw4 never reads half a file. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o644 });
  await fs.rename(tmp, file);
}
