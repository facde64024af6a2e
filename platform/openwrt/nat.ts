/**
 * Device.NAT. on OpenWrt (TR-181 NAT:1) from the firewall configuration, one
 * `uci -q -X show firewall` per read (firewall3 and fw4 share the UCI format):
 *
 * - PortMapping.{i}: each `config redirect` with target DNAT (the default) and one protocol
 *   (tcp or udp): src zone → Interface (the zone's first network that is an IP.Interface),
 *   src_ip → RemoteHost, src_dport ("8080" or "8000-8100") → ExternalPort/EndRange, dest_ip →
 *   InternalClient, dest_port → InternalPort (absent: the external port), proto → Protocol,
 *   name → Description, enabled → Enable. Redirects for "tcp udp" (LuCI's default) or other
 *   protocols have no TR-181 Protocol and are not served (they are left alone). AllInterfaces
 *   is src '*', which fw4 skips for DNAT: the agent's fw4 include files carry those mappings
 *   (nat-all-interfaces.ts), rewritten with every write that touches one.
 * - InterfaceSetting.{i}: each zone with a masq option; Enable is its value. Add sets masq on
 *   the zone holding the Interface's network, Delete removes the option (fw4's default: no NAT),
 *   a new Interface moves it to that zone.
 *
 * Writes go through uci (add / set / delete in config firewall), `uci commit firewall`, then
 * `/etc/init.d/firewall reload`; a failure reverts. Rows are keyed by UCI section name and keep
 * their instance across libuci's renames of anonymous sections after our own writes
 * (renamesByPosition). Alias is the agent's: held in memory, "cpe-<section>" by default, so it
 * does not survive an agent restart for a Controller-chosen value (UCI has no option for it and
 * fw3 warns about unknown options).
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { noSuchInstance, refused } from './convert.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type ParamWriter, type UciChange, type UciStage, type UciWriter } from './uci.js';
import { listOption, stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';
import { moveAliases, trackedUciWrite } from './uci-tracked-write.js';
import { ALL_ZONES, DEFAULT_FW4_INCLUDE_DIR, Fw4PortMappingIncludes, onAllInterfaces } from './nat-all-interfaces.js';

/** `/etc/init.d/firewall reload`: fw4/fw3 re-reads UCI and replaces the ruleset. */
export const FIREWALL_RELOAD = ['/etc/init.d/firewall', 'reload'] as const;

const PORT_MAPPING = 'Device.NAT.PortMapping.{i}.';
const PM_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Interface',
  'AllInterfaces',
  'LeaseDuration',
  'RemainingLeaseTime',
  'RemoteHost',
  'ExternalPort',
  'ExternalPortEndRange',
  'InternalPort',
  'Protocol',
  'InternalClient',
  'Description',
];
/**
 * What a Set of a PortMapping changes (its planWrite writers). LeaseDuration (only static
 * mappings) keeps its one value and is served read-only.
 */
const PM_WRITABLE = ['Enable', 'Alias', 'Interface', 'AllInterfaces', 'RemoteHost', 'ExternalPort', 'ExternalPortEndRange', 'InternalPort', 'Protocol', 'InternalClient', 'Description'] as const;
const IPV4_RE = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** Serves Device.NAT.PortMapping.{i}. (read-write) and Device.NAT.InterfaceSetting.{i}. */
export function registerNAT(ctx: OpenWrtContext, ip: IPInterfaces, uci: UciWriter, includeDir = DEFAULT_FW4_INCLUDE_DIR): void {
  const { model } = ctx;
  const includes = new Fw4PortMappingIncludes(includeDir);
  const mappings = new InstanceMap();
  const settings = new InstanceMap();
  const aliases = new Map<string, string>();
  const read = async (): Promise<UciConfig> => {
    const config = await ctx.uci('firewall');
    mappings.list(config.filter(isPortMapping).map((s) => s.name));
    settings.list(config.filter(isMasqZone).map((s) => s.name));
    return config;
  };
  const section = async (n: number | undefined): Promise<[UciSection, UciConfig]> => {
    const config = await read();
    const name = mappings.keyOf(n);
    const s = config.find((c) => c.name === name);
    if (!s || !isPortMapping(s)) throw noSuchInstance('port mapping', n);
    return [s, config];
  };
  // Another table's write (access control rules) may rename the redirects after a section it deleted.
  ctx.onUciRenames('firewall', (renames) => {
    mappings.rekey(renames);
    moveAliases(aliases, renames);
  });
  const zoneInterface = async (config: UciConfig, zone: string | undefined): Promise<string> => {
    const z = config.find((c) => c.type === 'zone' && stringOption(c.options.name) === zone);
    for (const net of listOption(z?.options.network)) {
      const path = await ip.pathOf(net);
      if (path) return path;
    }
    return '';
  };
  const zoneOfInterface = async (config: UciConfig, reference: string): Promise<string | undefined> => {
    const net = await ip.nameOf(reference);
    return config.find((c) => c.type === 'zone' && net !== undefined && listOption(c.options.network).includes(net))?.options.name as string | undefined;
  };

  /**
   * Runs one firewall write and keeps every row's instance (and Alias) across the section
   * renames it causes. Resolves with the names `uci add` printed, in their final form.
   */
  const write = async (stage: (s: UciStage) => Promise<void>, allInterfaces?: AllInterfacesAfter): Promise<string[]> => {
    // Before: read() (which also lists the rows); after: the raw config, so the new names are
    // only known to the tables through rekey().
    const config = await read();
    const before = config.map((s) => s.name);
    const after = async () => (await ctx.uci('firewall')).map((s) => s.name);
    // Mappings on all interfaces before or after: their include files first, loaded by the reload.
    const rows = allInterfaces ? await allInterfacesAfter(config, allInterfaces) : undefined;
    const undo = rows ? await includes.write(rows) : undefined;
    const staged = async (s: UciStage): Promise<void> => {
      if (rows && rows.length > 0) await includes.stageSections(s, config);
      await stage(s);
    };
    const { renames, added } = await trackedUciWrite(uci, 'firewall', FIREWALL_RELOAD, before, after, () => ctx.forgetUci('firewall'), staged).catch(async (e: unknown) => {
      await undo?.();
      throw e;
    });
    mappings.rekey(renames);
    moveAliases(aliases, renames);
    return added;
  };

  /** Every mapping on all interfaces once a write made `change` (a row's new values, or its deletion: undefined). */
  const allInterfacesAfter = async (config: UciConfig, change: AllInterfacesAfter): Promise<Array<Record<string, Value>> | undefined> => {
    const out: Array<Record<string, Value>> = [];
    let any = change.values?.AllInterfaces === true;
    for (const s of config.filter(isPortMapping)) {
      if (!onAllInterfaces(s)) continue;
      any = true;
      if (s.name !== change.section) out.push(await values(s, config));
    }
    if (change.values?.AllInterfaces === true) out.push(change.values);
    return any ? out : undefined;
  };

  const values = async (s: UciSection, config: UciConfig): Promise<Record<string, Value>> => {
    const [ext, end] = portRange(stringOption(s.options.src_dport));
    const internal = Number(stringOption(s.options.dest_port) ?? ext);
    const enabled = uciBool(s.options.enabled, true);
    return {
      Enable: enabled,
      // What fw4 made of it is not read back; a rule without an internal client installs nothing.
      Status: !enabled ? 'Disabled' : stringOption(s.options.dest_ip) ? 'Enabled' : 'Error_Misconfigured',
      Alias: aliases.get(s.name) ?? `cpe-${s.name}`,
      Interface: await zoneInterface(config, stringOption(s.options.src)),
      AllInterfaces: onAllInterfaces(s),
      LeaseDuration: 0,
      RemainingLeaseTime: 0,
      RemoteHost: stringOption(s.options.src_ip) ?? '',
      ExternalPort: ext,
      ExternalPortEndRange: end,
      InternalPort: Number.isInteger(internal) && internal >= 0 && internal <= 65535 ? internal : 0,
      Protocol: stringOption(s.options.proto)!.toUpperCase(),
      InternalClient: stringOption(s.options.dest_ip) ?? '',
      Description: stringOption(s.options.name) ?? '',
    };
  };

  /** The UCI options for `changes` to section `name` (current values `current`); 7012 for what cannot be. */
  const plan = async (name: string, config: UciConfig, current: Record<string, Value>, changes: Record<string, Value>): Promise<UciChange[]> => {
    canonicalizeReferences(changes, ['Interface']);
    const opt = (option: string, value: string): UciChange[] => (value === '' ? [{ section: name, option, value: '', remove: true }] : [{ section: name, option, value }]);
    const zone = changes.Interface === undefined || changes.Interface === current.Interface ? undefined : await zoneOfInterface(config, String(changes.Interface));
    const allAfter = (changes.AllInterfaces ?? current.AllInterfaces) === true;
    // Back from all interfaces without an Interface: the wan zone, as a new mapping's.
    const wan = config.find((c) => c.type === 'zone' && stringOption(c.options.name) === 'wan') ? 'wan' : undefined;
    const ports = (): UciChange[] | string => {
      const ext = Number(changes.ExternalPort ?? current.ExternalPort);
      const end = Number(changes.ExternalPortEndRange ?? current.ExternalPortEndRange);
      if (end !== 0 && (ext === 0 || end < ext)) return 'ExternalPortEndRange must be 0 or at least ExternalPort';
      return opt('src_dport', ext === 0 ? '' : end > ext ? `${ext}-${end}` : String(ext));
    };
    const writers: Record<string, ParamWriter> = {
      Enable: (v) => opt('enabled', v ? '1' : '0'),
      Alias: () => [],
      // On all interfaces the redirect has no zone: an Interface is taken once AllInterfaces is false.
      Interface: (v) =>
        v === current.Interface ? [] : allAfter ? (v === '' ? [] : 'a mapping on all interfaces has no Interface here') : zone ? opt('src', zone) : `${String(v)} is in no firewall zone`,
      AllInterfaces: (v) =>
        v === current.AllInterfaces
          ? []
          : v && changes.RemoteHost === undefined && current.RemoteHost !== '' && !IPV4_RE.test(String(current.RemoteHost))
            ? 'its RemoteHost is a subnet: one IPv4 address on all interfaces'
            : v
              ? opt('src', ALL_ZONES)
              : changes.Interface !== undefined && changes.Interface !== current.Interface
                ? []
                : wan
                  ? opt('src', wan)
                  : 'name the Interface of its firewall zone',
      LeaseDuration: (v) => (v === 0 ? [] : 'only static port mappings (0) can be configured'),
      // fw4 takes a subnet in src_ip; the agent's rule for all interfaces (nat-rules.ts) one address.
      RemoteHost: (v) => (allAfter && v !== '' && !IPV4_RE.test(String(v)) ? 'one IPv4 address (or empty) for a mapping on all interfaces' : opt('src_ip', String(v))),
      ExternalPort: () => (changes.ExternalPortEndRange !== undefined ? [] : ports()),
      ExternalPortEndRange: () => ports(),
      InternalPort: (v) => opt('dest_port', v === 0 ? '' : String(v)),
      Protocol: (v) => opt('proto', String(v).toLowerCase()),
      InternalClient: (v) => (v === '' || IPV4_RE.test(String(v)) ? opt('dest_ip', String(v)) : 'must be an IPv4 address'),
      Description: (v) => opt('name', String(v)),
    };
    // Alias writes nothing to UCI: it is the agent's own, kept once the UCI write went through.
    return planWrite(current, changes, writers);
  };

  model.register(PORT_MAPPING, {
    params: PM_PARAMS,
    writable: PM_WRITABLE,
    list: async () => mappings.list((await read()).filter(isPortMapping).map((s) => s.name)),
    get: async ([n]) => {
      const [s, config] = await section(n);
      return values(s, config);
    },
    set: async ([n], changes) => {
      const [s, config] = await section(n);
      const current = await values(s, config);
      const changesUci = await plan(s.name, config, current, changes);
      const next = { ...current, ...changes };
      if (changesUci.length > 0)
        await write(
          async (stage) => {
            for (const c of changesUci) await stage.set(c);
          },
          { section: s.name, values: next },
        );
      if (typeof changes.Alias === 'string') aliases.set(mappings.keyOf(n) ?? s.name, changes.Alias);
    },
    add: async (_parent: InstanceKeys, params) => {
      const config = await read();
      const wan = config.find((c) => c.type === 'zone' && stringOption(c.options.name) === 'wan') ? 'wan' : undefined;
      const lan = config.find((c) => c.type === 'zone' && stringOption(c.options.name) === 'lan') ? 'lan' : undefined;
      const current: Record<string, Value> = {
        Enable: false,
        Alias: '',
        Interface: await zoneInterface(config, wan),
        AllInterfaces: false,
        LeaseDuration: 0,
        RemoteHost: '',
        ExternalPort: 0,
        ExternalPortEndRange: 0,
        InternalPort: 0,
        Protocol: 'TCP',
        InternalClient: '',
        Description: '',
      };
      // Validated before anything is staged; the section name is filled in once uci add prints it.
      const planned = await plan('', config, current, { ...params });
      const base = [
        ['target', 'DNAT'],
        ['src', wan ?? 'wan'],
        ['dest', lan ?? 'lan'],
        ['proto', 'tcp'],
        ['enabled', '0'],
      ];
      const [name] = await write(
        async (stage) => {
          const created = await stage.add('redirect');
          for (const [option, value] of base) {
            if (!planned.some((c) => c.option === option)) await stage.set({ section: created, option, value });
          }
          for (const c of planned) if (!c.remove) await stage.set({ ...c, section: created });
        },
        { section: '', values: { ...current, ...params } },
      );
      const n = mappings.numberOf(name);
      if (typeof params.Alias === 'string' && params.Alias !== '') aliases.set(name, params.Alias);
      return n;
    },
    delete: async ([n]) => {
      const [s] = await section(n);
      await write(async (stage) => stage.remove(s.name), { section: s.name });
      aliases.delete(s.name);
    },
  });

  const zoneOf = async (n: number | undefined): Promise<[UciSection, UciConfig]> => {
    const config = await read();
    const z = config.find((c) => c.name === settings.keyOf(n));
    if (!z || !isMasqZone(z)) throw noSuchInstance('NAT interface setting', n);
    return [z, config];
  };
  /** The zone holding `reference`'s network, for a row that would masquerade it; 7012 when there is none or it has a row. */
  const zoneFor = async (config: UciConfig, reference: string, except?: string): Promise<UciSection> => {
    const name = await zoneOfInterface(config, reference);
    const z = config.find((c) => c.type === 'zone' && stringOption(c.options.name) === name);
    if (!z) throw refused([{ param: 'Interface', message: `${reference || '""'} is in no firewall zone` }]);
    if (z.name !== except && isMasqZone(z)) throw refused([{ param: 'Interface', message: `zone ${name} has its NAT setting already` }]);
    return z;
  };
  const settingValues = async (z: UciSection, config: UciConfig): Promise<Record<string, Value>> => {
    const enabled = uciBool(z.options.masq, false);
    return {
      Enable: enabled,
      Status: enabled ? 'Enabled' : 'Disabled',
      Alias: aliases.get(z.name) ?? `cpe-${stringOption(z.options.name) ?? z.name}`,
      Interface: await zoneInterface(config, stringOption(z.options.name)),
    };
  };
  /** Runs a firewall write that touches zones only (no section is added or removed, so no renames). */
  const zoneWrite = async (changes: UciChange[]): Promise<void> => {
    await uci
      .transact(
        'firewall',
        async (stage) => {
          for (const c of changes) await stage.set(c);
        },
        FIREWALL_RELOAD,
      )
      .finally(() => ctx.forgetUci('firewall'));
  };

  model.register('Device.NAT.InterfaceSetting.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Interface'],
    list: async () => settings.list((await read()).filter(isMasqZone).map((s) => s.name)),
    get: async ([n]) => {
      const [z, config] = await zoneOf(n);
      return settingValues(z, config);
    },
    // Enable is the zone's masq option ('0' keeps the row); a new Interface moves it to that interface's zone.
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['Interface']);
      const [z, config] = await zoneOf(n);
      const current = await settingValues(z, config);
      const enable = changes.Enable ?? current.Enable;
      if (changes.Interface !== undefined && changes.Interface !== current.Interface) {
        const target = await zoneFor(config, String(changes.Interface), z.name);
        await zoneWrite([
          { section: z.name, option: 'masq', value: '', remove: true },
          { section: target.name, option: 'masq', value: enable ? '1' : '0' },
        ]);
        settings.rekey([[z.name, target.name]]);
      } else if (enable !== current.Enable) {
        await zoneWrite([{ section: z.name, option: 'masq', value: enable ? '1' : '0' }]);
      }
      if (typeof changes.Alias === 'string') aliases.set(settings.keyOf(n) ?? z.name, changes.Alias);
    },
    add: async (_parent: InstanceKeys, params) => {
      const values = { ...params };
      canonicalizeReferences(values, ['Interface']);
      const config = await read();
      const z = await zoneFor(config, String(values.Interface ?? ''));
      // TR-181's default Enable is false: the row exists with masq '0' until it is enabled.
      await zoneWrite([{ section: z.name, option: 'masq', value: values.Enable === true ? '1' : '0' }]);
      const n = settings.numberOf(z.name);
      if (typeof values.Alias === 'string' && values.Alias !== '') aliases.set(z.name, values.Alias);
      return n;
    },
    // Deleting the row removes the zone's masq option: fw4 then does no NAT there (its default).
    delete: async ([n]) => {
      const [z] = await zoneOf(n);
      await zoneWrite([{ section: z.name, option: 'masq', value: '', remove: true }]);
      aliases.delete(z.name);
    },
  });
}

/** A write's effect on the mappings on all interfaces: `section`'s values after it (none: deleted; section '': added). */
interface AllInterfacesAfter {
  section: string;
  values?: Record<string, Value>;
}

/** A redirect TR-181 can express as a PortMapping: DNAT of exactly one of tcp, udp. */
function isPortMapping(s: UciSection): boolean {
  if (s.type !== 'redirect') return false;
  const target = stringOption(s.options.target) ?? 'DNAT';
  const proto = stringOption(s.options.proto)?.toLowerCase();
  return target.toUpperCase() === 'DNAT' && (proto === 'tcp' || proto === 'udp') && s.options.src !== undefined;
}

/** A zone with a masq option, '1' or '0': a NAT InterfaceSetting row (its Enable). */
function isMasqZone(s: UciSection): boolean {
  return s.type === 'zone' && s.options.masq !== undefined;
}

/** fw3/fw4 port ranges: "8080", "8000-8100" or "8000:8100" → [start, end or 0]; absent = any (0). */
export function portRange(v: string | undefined): [number, number] {
  const m = /^(\d+)(?:[-:](\d+))?$/.exec((v ?? '').trim());
  if (!m) return [0, 0];
  const start = Math.min(65535, Number(m[1]));
  const end = m[2] === undefined ? 0 : Math.min(65535, Number(m[2]));
  return [start, end > start ? end : 0];
}
