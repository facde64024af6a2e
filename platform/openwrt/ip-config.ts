/**
 * The configuration side of Device.IP. on OpenWrt (TR-181 IPInterface:2, IPv6Interface:1): what
 * `uci -q -X show network` holds for each IP.Interface, and how a Controller's Set, Add and
 * Delete become UCI writes (`uci set`/`delete`, `uci commit network`, NETWORK_RELOAD).
 *
 * | TR-181 (Device.IP.)           | UCI network                                                          |
 * |-------------------------------|----------------------------------------------------------------------|
 * | Interface.{i}                 | a `config interface` section; its name is the netifd interface name  |
 * | Interface.{i}.Enable          | not `disabled` and `auto` not 0 (netifd's config_parse_interface)    |
 * | Interface.{i}.LowerLayers     | `device`: the Name of the Ethernet.Link it names                     |
 * | Interface.{i}.IPv4Enable      | a proto carrying IPv4 not switched off by the agent (ip-interface-ipv4.ts) |
 * | Interface.{i}.IPv6Enable      | the `ipv6` option of the `config device` section of its device (default on; ip-interface-ipv6.ts) |
 * | Interface.{i}.ULAEnable       | `ip6assign` set, a ULA prefix configured and `ip6class` (if any) holding "local" (ip-interface-ula.ts) |
 * | IPv4Enable, IPv6Enable        | the agent's markers in `globals` (ip-interface-ipv4.ts, ip-ipv6-global.ts) |
 * | ULAPrefix                     | globals.ula_prefix                                                   |
 *
 * Each switch is written where netifd has an honest effect for it and refused (7012) where not;
 * what a switch replaces is kept in options of the agent's own (`usp_*`), which netifd ignores.
 *
 * A new interface is `proto 'none'` (netifd brings the device up, no addresses: its `static`
 * proto fails with NO_ADDRESS without one) and `disabled '1'` (TR-181's default Enable false).
 * Its section is named `uspN`, short enough for the kernel device names protos derive from it.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump } from './ubus-types.js';
import { NETWORK_RELOAD, planWrite, type ParamWriter, type UciChange, type UciWriter } from './uci.js';
import { ipv6EnableChanges } from './ip-interface-ipv6.js';
import { globalIPv4Changes, ipv4Enabled, ipv4EnableChanges, ipv4GloballyOff } from './ip-interface-ipv4.js';
import { ulaEnableChanges } from './ip-interface-ula.js';
import { deviceIPv6Enabled, globalIPv6Changes, ipv6GloballyOff } from './ip-ipv6-global.js';
import { listOption, stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

/** The `config interface` sections of network, in file order. */
export function interfaceSections(config: UciConfig): UciSection[] {
  return config.filter((s) => s.type === 'interface');
}

/** netifd skips a section whose `disabled` is true (config_parse_interface) and leaves one with `auto` 0 down. */
export function sectionEnabled(s: UciSection): boolean {
  return !uciBool(s.options.disabled, false) && uciBool(s.options.auto, true);
}

/** The configured values of one interface section (see the table above). */
export function configValues(s: UciSection, config: UciConfig): Record<string, Value> {
  const device = stringOption(s.options.device) ?? '';
  const deviceSection = config.find((d) => d.type === 'device' && stringOption(d.options.name) === device);
  const ula = stringOption(config.find((g) => g.type === 'globals')?.options.ula_prefix) ?? '';
  const classes = listOption(s.options.ip6class);
  return {
    IPv4Enable: ipv4Enabled(s),
    IPv6Enable: deviceIPv6Enabled(deviceSection),
    ULAEnable: s.options.ip6assign !== undefined && ula !== '' && (classes.length === 0 || classes.includes('local')),
  };
}

/** The first `uspN` name no section (nor a netifd interface in `taken`) has. */
export function newInterfaceName(config: UciConfig, taken: Iterable<string>): string {
  const used = new Set([...config.map((s) => s.name), ...taken]);
  for (let n = 1; ; n++) if (!used.has(`usp${n}`)) return `usp${n}`;
}

/** Resolves an Ethernet.Link reference to its device name, undefined when it names none. */
export type LinkName = (reference: string) => Promise<string | undefined>;

/**
 * The UCI changes for a Set of INTERFACE_WRITABLE on section `s` (the others accept only their
 * current value), or a 7012 naming every refused parameter. `uplink`: `s` holds the IPv4
 * default route now (IPv4Enable false is refused there).
 */
export async function planInterfaceWrite(
  s: UciSection,
  current: Record<string, Value>,
  changes: Record<string, Value>,
  linkName: LinkName,
  config: UciConfig = [],
  uplink = false,
): Promise<UciChange[]> {
  const opt = (option: string, value: string | undefined): UciChange[] =>
    value === undefined ? (s.options[option] === undefined ? [] : [{ section: s.name, option, value: '', remove: true }]) : [{ section: s.name, option, value }];
  let device: string | { message: string } | undefined;
  if (typeof changes.LowerLayers === 'string' && changes.LowerLayers !== current.LowerLayers) {
    const ref = changes.LowerLayers;
    if (ref === '') device = '';
    else if (ref.includes(',')) device = { message: 'an OpenWrt interface sits on one device: name one Device.Ethernet.Link' };
    else device = (await linkName(ref)) ?? { message: `${ref} is no Device.Ethernet.Link of this device` };
  }
  const writers: Record<string, ParamWriter> = {
    Enable: (v) => (v ? [...opt('disabled', undefined), ...(uciBool(s.options.auto, true) ? [] : opt('auto', undefined))] : opt('disabled', '1')),
    LowerLayers: () => (device === undefined ? [] : typeof device !== 'string' ? device.message : opt('device', device === '' ? undefined : device)),
    IPv6Enable: (v) => (ipv6GloballyOff(config) ? 'Device.IP.IPv6Enable is false: it holds every interface’s IPv6 off' : ipv6EnableChanges(s, config, v, changes, current)),
    IPv4Enable: (v) => (ipv4GloballyOff(config) && v === true ? 'Device.IP.IPv4Enable is false: it holds every interface’s IPv4 off' : ipv4EnableChanges(s, v, uplink)),
    ULAEnable: (v) => ulaEnableChanges(s, config, v),
  };
  return planWrite(current, changes, writers);
}

/**
 * The changes that put the options `plan` wrote on section `s` back as `s` held them (an undo
 * after a later step failed): each one set again, or deleted where `s` had none.
 */
export function revertPlan(s: UciSection, plan: readonly UciChange[]): UciChange[] {
  const options = [...new Set(plan.map((c) => c.option))];
  return options.flatMap((option): UciChange[] => {
    const was = s.options[option];
    if (was === undefined) return [{ section: s.name, option, value: '', remove: true }];
    if (!Array.isArray(was)) return [{ section: s.name, option, value: was }];
    return [{ section: s.name, option, value: '', remove: true }, ...was.map((value) => ({ section: s.name, option, value, append: true }))];
  });
}

/** What a Set of Device.IP. changes. */
const IP_WRITABLE = ['IPv4Enable', 'IPv6Enable', 'ULAPrefix'] as const;
/** What a Set of an IP.Interface changes (planInterfaceWrite's writers). */
export const INTERFACE_WRITABLE = ['Enable', 'LowerLayers', 'IPv4Enable', 'IPv6Enable', 'ULAEnable'] as const;

/** The interfaces holding an IPv4 default route now (the uplinks): IPv4Enable false is refused on them. */
export async function ipv4Uplinks(ctx: OpenWrtContext): Promise<Set<string>> {
  const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
  return new Set((dump.interface ?? []).filter((i) => (i.route ?? []).some((r) => r.mask === 0 && net.isIPv4(r.target))).map((i) => i.interface));
}

/** Serves Device.IP. (the IPv4/IPv6 switches and ULAPrefix). */
export function registerIPGlobals(ctx: OpenWrtContext, uci: UciWriter, ipv6File = '/proc/net/if_inet6'): void {
  const read = async (): Promise<Record<string, Value>> => {
    const config = await ctx.uci('network');
    // The kernel lists IPv6 addresses there only when it was built with IPv6.
    const v6 = await fs.access(ipv6File).then(
      () => true,
      () => false,
    );
    const v4On = !ipv4GloballyOff(config);
    const v6On = v6 && !ipv6GloballyOff(config);
    return {
      IPv4Capable: true,
      IPv4Enable: v4On,
      IPv4Status: v4On ? 'Enabled' : 'Disabled',
      IPv6Capable: v6,
      IPv6Enable: v6On,
      IPv6Status: v6On ? 'Enabled' : 'Disabled',
      ULAPrefix: stringOption(config.find((g) => g.type === 'globals')?.options.ula_prefix) ?? '',
    };
  };
  ctx.model.register('Device.IP.', {
    params: ['IPv4Capable', 'IPv4Enable', 'IPv4Status', 'IPv6Capable', 'IPv6Enable', 'IPv6Status', 'ULAPrefix'],
    writable: IP_WRITABLE,
    get: read,
    set: async (_keys, changes) => {
      const current = await read();
      const config = await ctx.uci('network');
      const globals = config.find((g) => g.type === 'globals');
      const uplinks = changes.IPv4Enable === false && current.IPv4Enable === true ? await ipv4Uplinks(ctx) : new Set<string>();
      const v6 = changes.IPv6Enable === undefined || changes.IPv6Enable === current.IPv6Enable ? undefined : globalIPv6Changes(config, changes.IPv6Enable);
      const plan = planWrite(current, changes, {
        ULAPrefix: (v) => {
          if (v === current.ULAPrefix) return [];
          const bad = ulaPrefixProblem(String(v));
          if (bad) return bad;
          if (v === '') return globals?.options.ula_prefix === undefined ? [] : [{ section: globals.name, option: 'ula_prefix', value: '', remove: true }];
          return [{ section: globals?.name ?? 'globals', option: 'ula_prefix', value: String(v) }];
        },
        IPv4Enable: (v) => globalIPv4Changes(config, v, uplinks),
        IPv6Enable: (v) => (v === true && current.IPv6Capable !== true ? 'the kernel has no IPv6' : typeof v6 === 'string' ? v6 : (v6?.changes ?? [])),
      });
      const created = typeof v6 === 'object' ? v6.create : [];
      const removed = typeof v6 === 'object' ? v6.remove : [];
      if (plan.length === 0 && removed.length === 0) return;
      await uci
        .transact(
          'network',
          async (stage) => {
            // OpenWrt's shipped config has `config globals 'globals'`; one removed by hand comes back.
            if (!globals) await stage.create('globals', 'globals');
            for (const c of created) await stage.create(c.section, 'device');
            for (const c of plan) await stage.set(c);
            for (const name of removed) await stage.remove(name);
          },
          NETWORK_RELOAD,
        )
        .finally(() => {
          ctx.forgetUci('network');
          ctx.forget('network.interface');
        });
    },
  });
}

/** Why `v` is no ULA prefix netifd can hand out (RFC 4193 fc00::/7, at most /64), or undefined. */
function ulaPrefixProblem(v: string): string | undefined {
  if (v === '') return undefined;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  if (!m || !net.isIPv6(m[1]) || Number(m[2]) > 64) return `${JSON.stringify(v)} is no IPv6 prefix of at most /64`;
  if (!/^f[cd]/i.test(m[1])) return `${v} is not in fc00::/7 (RFC 4193 unique local addresses)`;
  return undefined;
}

/** The 7024 of a Delete this platform cannot do. */
export function notDeletable(name: string, why: string): UspError {
  return new UspError(ErrorCode.DeleteFailure, `interface ${name}: ${why}`);
}
