/**
 * The fw4 include files of Device.Firewall Config Advanced on OpenWrt (TR-181 AdvancedFirewall:1):
 * the agent's Level, Chains and Rules put into fw4's own table `inet fw4`, so an accept or drop
 * they give is final for fw4 (a verdict in a table of the agent's would not be: every table's
 * base chain must accept a packet for it to pass).
 *
 * Three files of the agent's, each loaded by a named `config include` section (type nftables),
 * written when Config becomes Advanced and removed when it leaves Advanced:
 *
 * - `usp_fwadv_chains`, position 'table-post': every Chain row as a regular chain `usp_chain_<n>`
 *   of fw4's table, its enabled Rules in Order (the Linux rule builder's text,
 *   platform/linux/firewall-advanced-rules.ts).
 * - `usp_fwadv_input`, position 'chain-pre' of `input_wan`: what the wan zone sends to the device.
 *   fw4 jumps there after its own loopback and established/related accepts; the file keeps DHCP
 *   and DHCPv6 client replies and IPv6 neighbour discovery, jumps to the Level's Chain, then ends
 *   with the Level's DefaultPolicy, so fw4's wan rules and zone policy below it are not reached.
 * - `usp_fwadv_forward`, position 'chain-pre' of `forward_wan`: what the wan zone sends through
 *   the device, the same way, with the port mappings' pinhole (`ct status dnat`) as on Linux.
 *
 * The files are replaced atomically (written beside, renamed over) before the UCI write and
 * `/etc/init.d/firewall reload` that load them, and put back when that fails.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { advancedForwardRules, advancedInputRules, chainLines, type AdvancedPlan } from '../linux/firewall-advanced-rules.js';
import { replaceFile } from './nat-all-interfaces.js';
import type { UciStage } from './uci.js';
import { stringOption, type UciConfig } from './uci-show.js';

/** The zone whose chains the Level takes over: Device.Firewall. on OpenWrt is the wan zone (firewall.ts). */
export const ADVANCED_ZONE = 'wan';

/** The three includes: UCI section name, position, fw4 chain (none: the table), file name. */
export const FW4_ADVANCED_INCLUDES = [
  { section: 'usp_fwadv_chains', position: 'table-post', chain: undefined, file: 'fw4-firewall-chains.nft' },
  { section: 'usp_fwadv_input', position: 'chain-pre', chain: `input_${ADVANCED_ZONE}`, file: 'fw4-firewall-input.nft' },
  { section: 'usp_fwadv_forward', position: 'chain-pre', chain: `forward_${ADVANCED_ZONE}`, file: 'fw4-firewall-forward.nft' },
] as const;

/** The nft name of Chain `n` inside fw4's table (fw4's own chains never start with usp_). */
export const fw4ChainName = (n: number): string => `usp_chain_${n}`;

const HEADER = '# Written by usp-agent (Device.Firewall Config Advanced); replaced on every change.';

/** The three files' text for the Level `plan`, in the order of FW4_ADVANCED_INCLUDES. */
export function advancedIncludeTexts(plan: AdvancedPlan): [string, string, string] {
  const known = new Set(plan.chains.map((c) => c.n));
  const chains: string[] = [];
  for (const c of plan.chains) chains.push(`chain ${fw4ChainName(c.n)} {`, ...chainLines(c, known, fw4ChainName).map((l) => `\t${l}`), '}');
  const text = (lines: string[]): string => [HEADER, ...lines, ''].join('\n');
  // The agent's MTP listeners get no exception: as under Low, the wan zone lets in only what the rules allow.
  return [text(chains), text(advancedInputRules(plan, { tcp: [], udp: [] }, fw4ChainName)), text(advancedForwardRules(plan, fw4ChainName))];
}

/** The include files of `dir`. */
export class Fw4AdvancedIncludes {
  constructor(readonly dir: string) {}

  file(i: number): string {
    return path.join(this.dir, FW4_ADVANCED_INCLUDES[i]!.file);
  }

  /**
   * Replaces the files with those of `plan` (undefined: removes them); resolves with whether any
   * changed and an undo that puts the previous contents back (or removes files that did not exist).
   */
  async write(plan: AdvancedPlan | undefined): Promise<{ changed: boolean; undo: () => Promise<void> }> {
    const texts = plan ? advancedIncludeTexts(plan) : undefined;
    await fs.mkdir(this.dir, { recursive: true, mode: 0o755 });
    const previous: Array<[string, string | undefined]> = [];
    let changed = false;
    for (let i = 0; i < FW4_ADVANCED_INCLUDES.length; i++) {
      const file = this.file(i);
      const old = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (old === (texts?.[i] ?? undefined)) continue;
      changed = true;
      previous.push([file, old]);
      await (texts ? replaceFile(file, texts[i]!) : fs.rm(file, { force: true }));
    }
    const undo = async (): Promise<void> => {
      for (const [file, text] of previous) await (text === undefined ? fs.rm(file, { force: true }) : replaceFile(file, text));
    };
    return { changed, undo };
  }

  /** Whether `config` holds any of the include sections. */
  static present(config: UciConfig): boolean {
    return FW4_ADVANCED_INCLUDES.some((inc) => config.some((s) => s.name === inc.section));
  }

  /** Stages the sections as `on` wants them: created or corrected, or deleted. */
  async stageSections(stage: UciStage, config: UciConfig, on: boolean): Promise<void> {
    for (let i = 0; i < FW4_ADVANCED_INCLUDES.length; i++) {
      const inc = FW4_ADVANCED_INCLUDES[i]!;
      const have = config.find((s) => s.name === inc.section);
      if (!on) {
        if (have) await stage.remove(inc.section);
        continue;
      }
      const want: Array<[string, string]> = [['type', 'nftables'], ['path', this.file(i)], ['position', inc.position], ...(inc.chain ? [['chain', inc.chain] as [string, string]] : [])];
      if (have && have.type !== 'include') await stage.remove(inc.section);
      if (!have || have.type !== 'include') await stage.create(inc.section, 'include');
      const current = have?.type === 'include' ? have : undefined;
      for (const [option, value] of want) if (stringOption(current?.options[option]) !== value) await stage.set({ section: inc.section, option, value });
    }
  }
}
