/**
 * Device.Firewall Config Advanced on OpenWrt (TR-181 AdvancedFirewall:1): Device.Firewall.Level,
 * Chain and Chain.{i}.Rule are the agent's rows (its store; the Linux tables of
 * platform/linux/firewall-advanced.ts, with their checks and limits), put into effect inside fw4's
 * own table through include files (firewall-advanced-includes.ts says where).
 *
 * - Config and AdvancedLevel are kept in the store beside the rows; Enable stays the wan zone's
 *   policies (firewall.ts). The includes are in place while Config is Advanced and Enable is
 *   true; Enable false (zone policies ACCEPT) or Config Low removes them, and the zone's own
 *   policies and rules apply again (they are never changed for Advanced).
 * - Every change is written before it is answered: the files replaced, the `config include`
 *   sections created or deleted with the zone policies in one UCI commit, then
 *   `/etc/init.d/firewall reload` (also when only the files changed). When any step fails the
 *   files and the UCI sections are put back and the change is refused with 7003 (fw4 loads its
 *   ruleset in one nft transaction, so the kernel kept the previous one).
 * - At start (store loaded) the files are written again from the store: an interface's device may
 *   have changed since.
 * - Rule interfaces name Device.IP.Interface rows; the rules match their kernel devices (netifd's
 *   l3_device). The Level filters what the wan zone receives; LAN traffic stays under fw4's lan zone.
 */
import fs from 'node:fs/promises';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { AdvancedFirewallTables } from '../linux/firewall-advanced.js';
import type { IpInterfaceNames } from '../linux/nat.js';
import { canonicalizeReferences } from '../reference.js';
import { SerialRuns } from '../serial-runs.js';
import { invalid, type Row } from '../stored-table.js';
import { Fw4AdvancedIncludes } from './firewall-advanced-includes.js';
import { firewallEnabled, wanZone } from './firewall.js';
import type { IPInterfaces } from './ip.js';
import { FIREWALL_RELOAD } from './nat.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { UciChange, UciStage, UciWriter } from './uci.js';
import { stringOption, type UciConfig } from './uci-show.js';

const FIREWALL = 'Device.Firewall.';
const CONFIGS: ReadonlySet<string> = new Set(['Low', 'Advanced']);

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Device.IP.Interface references as their kernel devices (what the nft rules match). */
export function ipDeviceNames(model: DataModel, ip: IPInterfaces): IpInterfaceNames {
  return {
    nameOf: async (reference) => {
      const m = /^Device\.IP\.Interface\.(\d+)\.?$/.exec(reference);
      return m ? ip.deviceOf(Number(m[1])) : undefined;
    },
    pathOf: async (device) => {
      for (const n of await model.listInstances(model.requireNode('Device.IP.Interface.{i}.'), [], {})) if ((await ip.deviceOf(n)) === device) return `Device.IP.Interface.${n}`;
      return undefined;
    },
  };
}

export class OpenWrtAdvancedFirewall {
  readonly tables: AdvancedFirewallTables;
  private readonly includes: Fw4AdvancedIncludes;
  private readonly runs = new SerialRuns();

  constructor(
    private readonly ctx: OpenWrtContext,
    private readonly uci: UciWriter,
    private readonly store: DataStore,
    ip: IPInterfaces,
    includeDir: string,
  ) {
    this.includes = new Fw4AdvancedIncludes(includeDir);
    this.tables = new AdvancedFirewallTables({
      model: ctx.model,
      store,
      interfaces: ipDeviceNames(ctx.model, ip),
      activeLevel: () => this.activeLevel(),
      write: () => this.apply([]),
      // Device.Firewall.LastChange is /etc/config/firewall's modification time (firewall.ts).
      changed: () => undefined,
    });
  }

  /** Serves Level, Chain and Rule. */
  register(): void {
    this.tables.register();
  }

  private row(): Row {
    return this.store.row(FIREWALL) ?? {};
  }

  /** Config as stored: Advanced or Low. */
  config(): 'Advanced' | 'Low' {
    return this.row().Config === 'Advanced' ? 'Advanced' : 'Low';
  }

  /** AdvancedLevel as read: a strong reference ("" once the Level is deleted). */
  advancedLevel(): string {
    const l = this.row().AdvancedLevel;
    return typeof l === 'string' && this.tables.hasLevel(l) ? l : '';
  }

  /** The Level Config Advanced selects, or undefined under Low. */
  activeLevel(): string | undefined {
    return this.config() === 'Advanced' ? String(this.row().AdvancedLevel ?? '') : undefined;
  }

  /** When the include files were last written (ms), or undefined without them: Level, Chain and Rule changes move Device.Firewall.LastChange. */
  async lastWritten(): Promise<number | undefined> {
    return fs.stat(this.includes.file(0)).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
  }

  /** Writes the stored setting again (the files may name devices that changed); nothing stored: nothing written. */
  async start(): Promise<void> {
    if (this.config() !== 'Advanced') return;
    await this.apply([]).catch((e: unknown) => this.ctx.log.warn('advanced firewall not written at start; the next change tries again', { why: message(e) }));
  }

  /**
   * A Set of Device.Firewall.: Config and AdvancedLevel from `changes` (checked here), with the
   * wan zone policy changes firewall.ts planned for Enable, as one write.
   */
  async set(changes: Record<string, Value>, policy: readonly UciChange[], enabledAfter: boolean): Promise<void> {
    canonicalizeReferences(changes, ['AdvancedLevel']);
    const config = changes.Config;
    if (config !== undefined && !CONFIGS.has(String(config))) {
      const why = config === 'High' ? "fw4's zone policies cannot limit outbound traffic to common services (TR-181 High)" : `${String(config)} is not served (no Policy table)`;
      throw invalid([{ param: 'Config', message: `${why}: Low or Advanced` }]);
    }
    const level = changes.AdvancedLevel;
    if (level !== undefined && level !== '' && !this.tables.hasLevel(String(level))) throw invalid([{ param: 'AdvancedLevel', message: `${String(level)} is no Device.Firewall.Level row` }]);
    const before = this.store.row(FIREWALL);
    const next: Record<string, Value> = { Config: 'Low', ...(before ?? {}) };
    if (config !== undefined) next.Config = config;
    if (level !== undefined) next.AdvancedLevel = level;
    if (next.Config === 'Advanced' && !this.tables.hasLevel(String(next.AdvancedLevel ?? ''))) {
      throw invalid([{ param: changes.AdvancedLevel !== undefined ? 'AdvancedLevel' : 'Config', message: 'Config Advanced needs AdvancedLevel to name a Device.Firewall.Level row' }]);
    }
    if (JSON.stringify(next) === JSON.stringify(before ?? { Config: 'Low' }) && policy.length === 0) return;
    this.store.setRow(FIREWALL, next);
    try {
      await this.apply(policy, enabledAfter);
    } catch (e) {
      this.store.setRow(FIREWALL, before ?? {});
      throw e;
    }
  }

  /**
   * Puts the stored setting into effect with the zone policy changes `policy` (see the file
   * comment); `enabledAfter`: Enable once they are made (default: as UCI has it now).
   */
  apply(policy: readonly UciChange[], enabledAfter?: boolean): Promise<void> {
    return this.runs.run(async () => {
      this.ctx.forgetUci('firewall');
      const config = await this.ctx.uci('firewall');
      const level = this.activeLevel();
      const plan = (enabledAfter ?? firewallEnabled(config)) && level !== undefined ? this.tables.plan(level) : undefined;
      const { changed, undo } = await this.includes.write(plan);
      let touched = false;
      try {
        await this.uci.transact(
          'firewall',
          async (stage) => {
            const counted = countingStage(stage, () => (touched = true));
            for (const c of policy) await counted.set(c);
            await this.includes.stageSections(counted, config, plan !== undefined);
          },
          FIREWALL_RELOAD,
        );
        // The sections were in place already: fw4 reads the new files only when reloaded.
        if (!touched && changed && plan) await this.ctx.runner.run(FIREWALL_RELOAD[0], FIREWALL_RELOAD.slice(1));
      } catch (e) {
        this.ctx.forgetUci('firewall');
        await undo();
        await this.restoreUci(config);
        throw new UspError(ErrorCode.InternalError, `fw4 did not take the firewall change (${message(e)}), so nothing changed`);
      } finally {
        this.ctx.forgetUci('firewall');
      }
    });
  }

  /** After a failed reload: the include sections and wan zone policies of `before` committed again (fw4 kept its ruleset). */
  private async restoreUci(before: UciConfig): Promise<void> {
    try {
      const now = await this.ctx.uci('firewall');
      const was = wanZone(before);
      const is = wanZone(now);
      await this.uci.transact(
        'firewall',
        async (stage) => {
          await this.includes.stageSections(stage, now, Fw4AdvancedIncludes.present(before));
          if (!was || !is) return;
          for (const p of ['input', 'forward'] as const) {
            const value = stringOption(was.options[p]);
            if (value !== stringOption(is.options[p])) await stage.set({ section: is.name, option: p, value: value ?? '', ...(value === undefined ? { remove: true } : {}) });
          }
        },
        FIREWALL_RELOAD,
      );
    } catch (e) {
      this.ctx.log.error('the firewall configuration could not be put back after a failed write', { why: message(e) });
    } finally {
      this.ctx.forgetUci('firewall');
    }
  }
}

/** `stage` calling `touched` on each change it stages. */
function countingStage(stage: UciStage, touched: () => void): UciStage {
  return {
    set: (c) => (touched(), stage.set(c)),
    add: (type) => (touched(), stage.add(type)),
    create: (name, type) => (touched(), stage.create(name, type)),
    remove: (section) => (touched(), stage.remove(section)),
    reorder: (section, position) => (touched(), stage.reorder(section, position)),
  };
}
