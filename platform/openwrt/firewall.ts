/**
 * Device.Firewall. on OpenWrt (TR-181 SimpleFirewall:1) over fw4's UCI config `firewall`, the
 * zone named `wan` (which OpenWrt's default config puts the wan and wan6 interfaces in):
 *
 * | TR-181 (Device.Firewall.) | OpenWrt                                                                 |
 * |---------------------------|-------------------------------------------------------------------------|
 * | Enable                    | true when the wan zone's `input` and `forward` policies both refuse (REJECT or DROP; an option left out takes the `defaults` section's, as fw4 does): TR-181's "Traffic Denied Inbound". Set true: `input`/`forward` REJECT where they accept (fw4's shipped policies); false: both ACCEPT (everything inbound allowed, the device protected by NAT only) |
 * | Config                    | Low: fw4's zone model is "everything the LAN forwards out, nothing unsolicited in, plus the rules and redirects (pinholes) configured". Advanced (with the agent's store): the Level AdvancedLevel names, in fw4's own table (firewall-advanced.ts). High's "Minimally Permit Common Services Outbound" is not a zone policy (7012), nor is Policy (no Policy table) |
 * | AdvancedLevel             | (with the agent's store) the Level Config Advanced selects, kept in the store |
 * | Type                      | Stateful (fw4 accepts established/related traffic by conntrack)          |
 * | Version                   | empty: fw4 keeps no version of its settings                              |
 * | LastChange                | when /etc/config/firewall was last written (its modification time), or the Advanced include files when later |
 *
 * Writes: `uci set firewall.<wan zone>.input|forward`, `uci commit firewall`, then
 * `/etc/init.d/firewall reload`; a failure reverts (uci.ts) and answers 7003. A config without a
 * wan zone refuses Enable with 7012 and writes nothing.
 */
import fs from 'node:fs/promises';
import type { ObjectBinding } from '../../datamodel/tree/binding.js';
import { UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import { dateTime } from './convert.js';
import type { OpenWrtAdvancedFirewall } from './firewall-advanced.js';
import { FIREWALL_RELOAD } from './nat.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type UciChange, type UciWriter } from './uci.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';

/** Where fw4 reads its configuration: its modification time is Device.Firewall.LastChange. */
export const FIREWALL_CONFIG_FILE = '/etc/config/firewall';

const PARAMS = ['Enable', 'Config', 'Type', 'Version', 'LastChange'] as const;
const POLICIES = ['input', 'forward'] as const;
const refuses = (policy: string | undefined): boolean => policy === 'REJECT' || policy === 'DROP';

/** Device.Firewall.Enable of `config`: the wan zone refuses both input and forward. */
export function firewallEnabled(config: UciConfig): boolean {
  const { zone, input, forward } = wanPolicies(config);
  return zone !== undefined && refuses(input) && refuses(forward);
}

/** The zone named wan, where the WAN interfaces are. */
export function wanZone(config: UciConfig): UciSection | undefined {
  return config.find((s) => s.type === 'zone' && stringOption(s.options.name) === 'wan');
}

/** The wan zone's input and forward policies, each falling back to the `defaults` section's (fw4 does). */
export function wanPolicies(config: UciConfig): { zone?: UciSection; input?: string; forward?: string } {
  const zone = wanZone(config);
  const defaults = config.find((s) => s.type === 'defaults');
  const policy = (p: (typeof POLICIES)[number]): string | undefined => (stringOption(zone?.options[p]) ?? stringOption(defaults?.options[p]))?.toUpperCase();
  return zone ? { zone, input: policy('input'), forward: policy('forward') } : {};
}

/** Serves Device.Firewall. from `uci -q -X show firewall`; with `advanced`, Config Advanced and AdvancedLevel too. */
export function registerFirewall(ctx: OpenWrtContext, uci: UciWriter, configFile = FIREWALL_CONFIG_FILE, advanced?: OpenWrtAdvancedFirewall): void {
  const read = async (): Promise<Record<string, Value>> => {
    const enabled = firewallEnabled(await ctx.uci('firewall'));
    // The later of the UCI config's and (Config Advanced) the agent's include files' modification.
    const times = [
      await fs.stat(configFile).then(
        (s) => s.mtimeMs,
        () => undefined,
      ),
      await advanced?.lastWritten(),
    ].filter((t) => t !== undefined);
    const changed = times.length > 0 ? dateTime(Math.max(...times)) : UNKNOWN_TIME;
    const config: Record<string, Value> = advanced ? { Config: advanced.config(), AdvancedLevel: advanced.advancedLevel() } : { Config: 'Low' };
    return { Enable: enabled, ...config, Type: 'Stateful', Version: '', LastChange: changed };
  };
  const binding: ObjectBinding = {
    params: advanced ? [...PARAMS, 'AdvancedLevel'] : PARAMS,
    writable: advanced ? ['Enable', 'Config', 'AdvancedLevel'] : ['Enable', 'Config'],
    get: read,
    set: async (_keys, changes) => {
      const current = await read();
      const policies = wanPolicies(await ctx.uci('firewall'));
      const plan = planWrite(current, changes, {
        // Config and AdvancedLevel are the agent's (checked and stored by firewall-advanced.ts).
        ...(advanced ? { AdvancedLevel: () => [] } : {}),
        Config: (v) =>
          v === 'Low' || advanced
            ? []
            : v === 'High'
              ? "fw4's zone policies cannot limit outbound traffic to common services (TR-181 High): only Low"
              : `${String(v)} needs Level/Chain/Rule or Policy tables, which this device does not serve: only Low`,
        Enable: (v): UciChange[] | string => {
          const zone = policies.zone;
          if (!zone) return 'no firewall zone named wan in /etc/config/firewall';
          if (v === current.Enable) return [];
          return POLICIES.filter((p) => refuses(policies[p]) !== v).map((p) => ({ section: zone.name, option: p, value: v ? 'REJECT' : 'ACCEPT' }));
        },
      });
      if (advanced) return advanced.set(changes, plan, changes.Enable !== undefined ? changes.Enable === true : current.Enable === true);
      if (plan.length === 0) return;
      await uci.apply('firewall', plan, FIREWALL_RELOAD).finally(() => ctx.forgetUci('firewall'));
    },
  };
  ctx.model.register('Device.Firewall.', binding);
}
