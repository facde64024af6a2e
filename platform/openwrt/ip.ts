/**
 * Device.IP. on OpenWrt (TR-181 IPInterface:2, IPv6Interface:1, IPv4Address:1, IPv6Address:1,
 * IPv6Prefix:1): one IP.Interface per netifd interface ("wan", "lan", "loopback"), keyed by name.
 * The live state comes from one `ubus call network.interface dump`; the configuration, and the
 * interfaces netifd does not run (disabled ones, and ones a Controller just added), from
 * `uci -q -X show network` (ip-config.ts). Rows are numbered in netifd's order first, then the
 * configured ones it does not run, in file order. Addresses are keyed by address/prefix-length
 * inside their interface, so an address keeps its instance while it stays assigned.
 *
 * LowerLayers names the Ethernet.Link of the interface's `device`. PPP-style protocols sit on a
 * PPP.Interface, which this platform does not serve, so theirs is empty rather than wrong.
 *
 * Writes (Enable, LowerLayers, Add, Delete): UCI network, `uci commit network`, NETWORK_RELOAD; an
 * interface the agent adds is put in a firewall zone, which follows its LowerLayers, and a
 * deleted one is taken out of every zone (ip-firewall-zone.ts).
 * Reset(): `ubus call network.interface.<name> down` then `up`, what OpenWrt's `ifup` does to an
 * interface that is up.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { lifetimeEnd, noSuchInstance, prefixToMask, refused } from './convert.js';
import { stats, type EthernetLinks } from './ethernet.js';
import { packetStats, packetStatsParams } from './packet-stats.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { configuredV4, keyOf as v4Key, planV4, takesStatic, v4Values, type ConfiguredV4 } from './ipv4-config.js';
import { configValues, INTERFACE_WRITABLE, interfaceSections, ipv4Uplinks, newInterfaceName, notDeletable, planInterfaceWrite, revertPlan, sectionEnabled } from './ip-config.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { agentInterface, InterfaceZones } from './ip-firewall-zone.js';
import { NETWORK_RELOAD, planWrite, type UciChange, type UciWriter } from './uci.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';
import { vxlanInterfacePath } from './vxlan-sections.js';

const PPP_PROTOS = new Set(['pppoe', 'pppoa', 'ppp', 'pptp', 'l2tp', '3g']);

/** netifd `proto` → IPv4Address.AddressingType. Cellular protocols get their address by NAS signalling. */
const ADDRESSING: Record<string, string> = {
  dhcp: 'DHCP',
  static: 'Static',
  pppoe: 'IPCP',
  pppoa: 'IPCP',
  ppp: 'IPCP',
  '3g': 'IPCP',
  qmi: '3GPP-NAS',
  mbim: '3GPP-NAS',
  ncm: '3GPP-NAS',
  modemmanager: '3GPP-NAS',
  wwan: '3GPP-NAS',
};

interface AddressRow {
  key: string;
  values: (now: number) => Record<string, Value>;
}

/** One interface's rows, per table. */
interface IfRows {
  /** netifd's state; for a configured interface netifd does not run, what its section says. */
  status: NetIfStatus;
  /** Its `config interface` section, when UCI has one (netifd also makes interfaces at run time). */
  section?: UciSection;
  /** The whole network config the section was read from. */
  config?: UciConfig;
  /** netifd runs it (it is in the dump). */
  running: boolean;
  v4: AddressRow[];
  v6: AddressRow[];
  prefixes: AddressRow[];
}

export interface IPInterfaces {
  /** "Device.IP.Interface.N" (a reference value) of the netifd interface `name`, or "" if there is none. */
  pathOf(name: string | undefined): Promise<string>;
  /** The netifd interface name of Device.IP.Interface.N, from a reference value (with or without the "."). */
  nameOf(reference: string): Promise<string | undefined>;
  /** The kernel device (netifd l3_device) of Device.IP.Interface.N: what diagnostics bind to. */
  deviceOf(n: number): Promise<string | undefined>;
}

/** Serves Device.IP.Interface.{i}. and its IPv4Address, IPv6Address and IPv6Prefix tables; `uci` writes them. */
export function registerIP(ctx: OpenWrtContext, ethernet: EthernetLinks, uci: UciWriter): IPInterfaces {
  const { model } = ctx;
  const interfaces = new InstanceMap();
  const sub = { v4: new Map<string, InstanceMap>(), v6: new Map<string, InstanceMap>(), prefixes: new Map<string, InstanceMap>() };
  const mapOf = (table: keyof typeof sub, ifname: string): InstanceMap => {
    let m = sub[table].get(ifname);
    if (!m) sub[table].set(ifname, (m = new InstanceMap()));
    return m;
  };
  /** `uci show network`, or undefined when it fails: the interfaces netifd runs still read. */
  const network = async (): Promise<UciConfig | undefined> => {
    try {
      return await ctx.uci('network');
    } catch (e) {
      ctx.log.debug('IP.Interface without its UCI configuration', { error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  };
  const read = async (): Promise<Map<string, IfRows>> => {
    const [dump, config] = await Promise.all([ctx.ubus<InterfaceDump>('network.interface', 'dump'), network()]);
    const sections = new Map(interfaceSections(config ?? []).map((c) => [c.name, c]));
    const out = new Map<string, IfRows>();
    for (const s of dump.interface ?? []) {
      const prefixPath = (key: string): string => `Device.IP.Interface.${interfaces.numberOf(s.interface)}.IPv6Prefix.${mapOf('prefixes', s.interface).numberOf(key)}`;
      const rows: IfRows = { status: s, section: sections.get(s.interface), config, running: true, ...addressRows(s, prefixPath) };
      out.set(s.interface, rows);
      // Number every row on every reading, in netifd's order, whatever a Get reads first.
      interfaces.numberOf(s.interface);
      for (const t of ['v4', 'v6', 'prefixes'] as const) mapOf(t, s.interface).list(rows[t].map((r) => r.key));
    }
    for (const [name, section] of sections) {
      if (out.has(name)) continue;
      const status: NetIfStatus = { interface: name, up: false, proto: stringOption(section.options.proto), device: stringOption(section.options.device) };
      out.set(name, { status, section, config, running: false, v4: [], v6: [], prefixes: [] });
      interfaces.numberOf(name);
    }
    // Static addresses netifd does not hold now (interface down, address disabled) are rows too.
    for (const rows of out.values()) {
      if (!rows.section) continue;
      const cfg = configuredV4(rows.section);
      for (const [keys, enabled] of [
        [cfg.enabled, true],
        [cfg.disabled, false],
      ] as const) {
        for (const key of keys) if (!rows.v4.some((r) => r.key === key)) rows.v4.push({ key, values: () => v4Values(key, enabled) });
      }
      mapOf('v4', rows.status.interface).list(rows.v4.map((r) => r.key));
    }
    return out;
  };
  const forget = (): void => {
    ctx.forgetUci('network');
    ctx.forget('network.interface');
  };
  const zones = new InterfaceZones(ctx, uci);
  /** The device a plan leaves the interface on ("" for none), or undefined when it does not change it. */
  const deviceAfter = (plan: readonly UciChange[]): string | undefined => {
    const c = plan.find((x) => x.option === 'device');
    return c === undefined ? undefined : c.remove ? '' : c.value;
  };
  const at = async (n: number | undefined): Promise<IfRows> => {
    const rows = (await read()).get(interfaces.keyOf(n) ?? '');
    if (!rows) throw noSuchInstance('IP interface', n);
    return rows;
  };

  const valuesOf = async (rows: IfRows): Promise<Record<string, Value>> => {
    const { status: s, section, config } = rows;
    const values: Record<string, Value> = {
      Enable: (section === undefined || sectionEnabled(section)) && (rows.running ? s.up === true || s.autostart === true : true),
      Status: s.up ? 'Up' : 'Down',
      Name: s.interface,
      LowerLayers: PPP_PROTOS.has(s.proto ?? '') ? '' : (vxlanInterfacePath(s.interface) ?? (await lowerLayer(ctx, ethernet, s.device ?? s.l3_device))),
      Type: s.device === 'lo' || s.l3_device === 'lo' ? 'Loopback' : 'Normal',
      ...(section && config ? configValues(section, config) : {}),
    };
    // netifd's uptime is the time since the interface came up, i.e. since its last change.
    if (s.up && s.uptime !== undefined) values.LastChange = Math.max(0, Math.trunc(s.uptime));
    return values;
  };
  /** The section of a row, or a 7012 for an interface netifd made without one. */
  const sectionOf = (rows: IfRows, param: string): UciSection => {
    if (!rows.section)
      throw new UspError(ErrorCode.InvalidValue, `${param}: interface ${rows.status.interface} has no UCI section (netifd made it at run time)`, {
        paramErrors: [{ param, code: ErrorCode.InvalidValue, message: 'no UCI section to write' }],
      });
    return rows.section;
  };

  model.register('Device.IP.Interface.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LastChange', 'LowerLayers', 'Type', 'IPv4Enable', 'IPv6Enable', 'ULAEnable'],
    writable: INTERFACE_WRITABLE,
    list: async () => interfaces.list((await read()).keys()),
    get: async ([n]) => valuesOf(await at(n)),
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['LowerLayers']);
      const rows = await at(n);
      const current = await valuesOf(rows);
      const changed = Object.fromEntries(Object.entries(changes).filter(([p, v]) => current[p] !== v));
      if (Object.keys(changed).length === 0) return;
      const section = sectionOf(rows, Object.keys(changed)[0]);
      const uplink = changed.IPv4Enable === false && (await ipv4Uplinks(ctx)).has(section.name);
      const plan = await planInterfaceWrite(section, current, changed, ethernet.linkName, await ctx.uci('network'), uplink);
      await uci.apply('network', plan, NETWORK_RELOAD).finally(forget);
      const device = deviceAfter(plan);
      if (device !== undefined && agentInterface(section.name)) {
        await zones.place(section.name, device).catch(async (e: unknown) => {
          // Back as it was (its link, and its Enable when this Set changed it too), in the zone it is still in:
          // a binding's failed set is not undone by the transaction.
          await uci.apply('network', revertPlan(section, plan), NETWORK_RELOAD).finally(forget);
          throw e;
        });
      }
      // Configured to start but taken down at run time (ifdown): nothing to write, netifd brings it up.
      if (changed.Enable === true && rows.running && !plan.some((c) => c.option === 'disabled' || c.option === 'auto')) {
        await ctx.runner.run('ubus', ['call', `network.interface.${section.name}`, 'up']).finally(forget);
      }
    },
    add: async (_parent, params) => {
      const p = { ...params };
      canonicalizeReferences(p, ['LowerLayers']);
      const all = await read();
      const config = await ctx.uci('network');
      const name = newInterfaceName(config, all.keys());
      const fresh: UciSection = { name, type: 'interface', options: { proto: 'none', disabled: '1' } };
      const defaults: Record<string, Value> = { Enable: false, LowerLayers: '', ...configValues(fresh, config) };
      const plan = await planInterfaceWrite(fresh, defaults, p, ethernet.linkName);
      await uci
        .transact(
          'network',
          async (stage) => {
            await stage.create(name, 'interface');
            await stage.set({ section: name, option: 'proto', value: 'none' });
            // Enable true in the Add is the section without `disabled`: the plan's delete of it is not staged.
            if (p.Enable !== true) await stage.set({ section: name, option: 'disabled', value: '1' });
            for (const c of plan) if (!(c.remove && c.option === 'disabled')) await stage.set(c);
          },
          NETWORK_RELOAD,
        )
        .finally(forget);
      // In no zone, firewall4 would drop its traffic; without a zone write, no interface.
      await zones.place(name, deviceAfter(plan) ?? '').catch(async (e: unknown) => {
        await uci.transact('network', (stage) => stage.remove(name), NETWORK_RELOAD).finally(forget);
        throw e;
      });
      return interfaces.numberOf(name);
    },
    delete: async ([n]) => {
      const rows = await at(n);
      if (!rows.section) throw notDeletable(rows.status.interface, 'netifd made it at run time; it has no UCI section to delete');
      const name = rows.section.name;
      const rejoin = await zones.remove(name);
      await uci
        .transact('network', (stage) => stage.remove(name), NETWORK_RELOAD)
        .finally(forget)
        .catch(async (e: unknown) => {
          await rejoin();
          throw e;
        });
      interfaces.retire(name);
      for (const t of ['v4', 'v6', 'prefixes'] as const) sub[t].delete(name);
    },
    commands: {
      // TR-181 Reset(): down and up again; a disabled interface is left alone.
      'Reset()': {
        run: async ({ keys }) => {
          const rows = await at(keys[0]);
          if ((await valuesOf(rows)).Enable !== true) return {};
          const object = `network.interface.${rows.status.interface}`;
          try {
            await ctx.runner.run('ubus', ['call', object, 'down']);
            await ctx.runner.run('ubus', ['call', object, 'up']);
          } catch (e) {
            throw new UspError(ErrorCode.CommandFailure, `Reset of interface ${rows.status.interface}: ${e instanceof Error ? e.message : String(e)}`);
          } finally {
            forget();
          }
          return {};
        },
      },
    },
  });

  // The counters of the interface's layer-3 device (netifd's statistics, the kernel's), and the
  // Unicast/Broadcast ones the kernel does not count from the agent's nftables counters.
  model.register('Device.IP.Interface.{i}.Stats.', {
    params: [...Object.keys(stats(undefined)), ...packetStatsParams(ctx)],
    get: async ([n]) => {
      const { status: s } = await at(n);
      const name = s.l3_device ?? s.device;
      let devices;
      try {
        devices = await ethernet.devices();
      } catch (e) {
        // Only the counters need network.device: a read of the interface leaves them out and answers the rest.
        const u = e instanceof UspError ? e : new UspError(ErrorCode.InternalError, String(e));
        throw new UspError(u.code, u.message, { isolated: true });
      }
      return { ...stats(name === undefined ? undefined : devices[name]?.statistics), ...(await packetStats(ctx, name)) };
    },
  });

  const table = (path: string, which: 'v4' | 'v6' | 'prefixes', what: string, params: string[], writes: Partial<ObjectBinding> = {}): void => {
    model.register(path, {
      ...writes,
      params,
      list: async ([i]) => {
        const rows = (await read()).get(interfaces.keyOf(i) ?? '');
        return rows ? mapOf(which, rows.status.interface).list(rows[which].map((r) => r.key)) : [];
      },
      get: async (keys: InstanceKeys) => {
        const rows = await at(keys[0]);
        const key = mapOf(which, rows.status.interface).keyOf(keys[1]);
        const row = rows[which].find((r) => r.key === key);
        if (!row) throw noSuchInstance(what, keys[1]);
        return row.values(ctx.now());
      },
    });
  };
  /** A static address row: its interface's section and configuration, and its key; 7012 for one netifd learnt. */
  const staticRow = async ([i, j]: InstanceKeys, param: string): Promise<{ rows: IfRows; section: UciSection; cfg: ConfiguredV4; key: string }> => {
    const rows = await at(i);
    const key = mapOf('v4', rows.status.interface).keyOf(j);
    if (key === undefined || !rows.v4.some((r) => r.key === key)) throw noSuchInstance('IPv4 address', j);
    const section = sectionOf(rows, param);
    const cfg = configuredV4(section);
    if (![...cfg.enabled, ...cfg.disabled].includes(key))
      throw refused([{ param, message: `interface ${rows.status.interface} learnt this address by ${rows.status.proto ?? 'its protocol'}; it is not configured` }]);
    return { rows, section, cfg, key };
  };
  const writeV4 = (section: UciSection, next: ConfiguredV4): Promise<void> => uci.apply('network', planV4(section, next), NETWORK_RELOAD).finally(forget);
  table('Device.IP.Interface.{i}.IPv4Address.{i}.', 'v4', 'IPv4 address', ['Enable', 'Status', 'IPAddress', 'SubnetMask', 'AddressingType'], {
    set: async (keys, changes) => {
      const { rows, section, cfg, key } = await staticRow(keys, Object.keys(changes)[0] ?? 'Enable');
      const current = v4Values(key, cfg.enabled.includes(key));
      const changed = Object.fromEntries(Object.entries(changes).filter(([p, v]) => current[p] !== v));
      if (Object.keys(changed).length === 0) return;
      planWrite(current, changed, { Enable: () => [], IPAddress: () => [], SubnetMask: () => [] });
      const next = v4Key(changed.IPAddress ?? current.IPAddress, changed.SubnetMask ?? current.SubnetMask);
      if (typeof next !== 'string') throw refused([next]);
      if (next !== key && [...cfg.enabled, ...cfg.disabled].includes(next)) throw refused([{ param: 'IPAddress', message: `${next} is configured already` }]);
      const enable = (changed.Enable ?? current.Enable) === true;
      // Kept in place when it stays in its list, so netifd's order (the primary address first) holds.
      const keep = (list: string[], mine: boolean): string[] => (mine ? list.map((k) => (k === key ? next : k)) : list.filter((k) => k !== key));
      const wasEnabled = cfg.enabled.includes(key);
      const enabled = keep(cfg.enabled, wasEnabled && enable);
      const disabled = keep(cfg.disabled, !wasEnabled && !enable);
      if (enable && !enabled.includes(next)) enabled.push(next);
      if (!enable && !disabled.includes(next)) disabled.push(next);
      await writeV4(section, { enabled, disabled });
      if (next !== key) mapOf('v4', rows.status.interface).rekey([[key, next]]);
    },
    add: async ([i], params) => {
      const rows = await at(i);
      const section = sectionOf(rows, 'IPAddress');
      if (!takesStatic(section))
        throw new UspError(
          ErrorCode.ObjectCouldNotBeCreated,
          `interface ${section.name} gets its addresses by ${stringOption(section.options.proto) ?? 'its protocol'}, not from static configuration`,
        );
      const key = v4Key(params.IPAddress, params.SubnetMask);
      if (typeof key !== 'string') throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${key.param}: ${key.message}`, { paramErrors: [{ ...key, code: ErrorCode.InvalidValue }] });
      const cfg = configuredV4(section);
      if ([...cfg.enabled, ...cfg.disabled].includes(key)) throw refused([{ param: 'IPAddress', message: `${key} is configured already` }]);
      // TR-181's default Enable is false: the address is kept, netifd does not assign it yet.
      await writeV4(section, params.Enable === true ? { enabled: [...cfg.enabled, key], disabled: cfg.disabled } : { enabled: cfg.enabled, disabled: [...cfg.disabled, key] });
      return mapOf('v4', rows.status.interface).numberOf(key);
    },
    delete: async (keys) => {
      const { rows, section, cfg, key } = await staticRow(keys, 'IPAddress').catch((e: unknown) => {
        throw e instanceof UspError && e.code === ErrorCode.InvalidValue ? new UspError(ErrorCode.DeleteFailure, e.message) : e;
      });
      await writeV4(section, { enabled: cfg.enabled.filter((k) => k !== key), disabled: cfg.disabled.filter((k) => k !== key) });
      mapOf('v4', rows.status.interface).retire(key);
    },
  });
  table('Device.IP.Interface.{i}.IPv6Address.{i}.', 'v6', 'IPv6 address', ['Enable', 'Status', 'IPAddressStatus', 'IPAddress', 'Origin', 'Prefix', 'PreferredLifetime', 'ValidLifetime', 'Anycast']);
  table('Device.IP.Interface.{i}.IPv6Prefix.{i}.', 'prefixes', 'IPv6 prefix', ['Enable', 'Status', 'PrefixStatus', 'Prefix', 'Origin', 'StaticType', 'OnLink', 'PreferredLifetime', 'ValidLifetime']);

  return {
    deviceOf: async (n) => {
      const status = (await read()).get(interfaces.keyOf(n) ?? '')?.status;
      return status?.l3_device ?? status?.device;
    },
    pathOf: async (name) => {
      if (!name || !(await read()).has(name)) return '';
      return `Device.IP.Interface.${interfaces.numberOf(name)}`;
    },
    nameOf: async (reference) => {
      const m = /^Device\.IP\.Interface\.(\d+)\.?$/.exec(reference.trim());
      const name = m ? interfaces.keyOf(Number(m[1])) : undefined;
      return name !== undefined && (await read()).has(name) ? name : undefined;
    },
  };
}

async function lowerLayer(ctx: OpenWrtContext, ethernet: EthernetLinks, device: string | undefined): Promise<string> {
  try {
    return await ethernet.linkPath(device);
  } catch (e) {
    // The interface itself is still readable without network.device; only the reference is lost.
    ctx.log.debug('no Ethernet.Link for an IP interface', { device, error: e instanceof Error ? e.message : String(e) });
    return '';
  }
}

/** The address and prefix rows of one netifd interface. */
export function addressRows(s: NetIfStatus, prefixPath: (key: string) => string): Pick<IfRows, 'v4' | 'v6' | 'prefixes'> {
  const addressing = ADDRESSING[s.proto ?? ''] ?? 'Static';
  const v4: AddressRow[] = (s['ipv4-address'] ?? []).map((a) => ({
    key: `${a.address}/${a.mask}`,
    values: () => ({ Enable: true, Status: 'Enabled', IPAddress: a.address, SubnetMask: prefixToMask(a.mask), AddressingType: addressing }),
  }));

  const prefixes: AddressRow[] = [];
  const v6: AddressRow[] = [];
  const v6Origin = s.proto === 'dhcpv6' ? 'DHCPv6' : s.proto === 'static' ? 'Static' : 'AutoConfigured';
  for (const a of s['ipv6-address'] ?? []) {
    v6.push({ key: a.address, values: (now) => v6Values(a.address, v6Origin, '', a.preferred, a.valid, now) });
  }
  // Prefixes delegated to this interface by the upstream router (DHCPv6-PD).
  for (const p of s['ipv6-prefix'] ?? []) {
    const key = `${p.address}/${p.mask}`;
    prefixes.push({ key, values: (now) => prefixValues(key, 'PrefixDelegation', false, p.preferred, p.valid, now) });
  }
  // Prefixes assigned to this (downstream) interface from a delegated or ULA prefix; the router
  // takes an address of its own from each (local-address).
  for (const p of s['ipv6-prefix-assignment'] ?? []) {
    const key = `${p.address}/${p.mask}`;
    prefixes.push({ key, values: (now) => prefixValues(key, 'Child', true, p.preferred, p.valid, now) });
    const local = p['local-address'];
    if (local && !v6.some((r) => r.key === local.address)) {
      v6.push({ key: local.address, values: (now) => v6Values(local.address, 'AutoConfigured', prefixPath(key), p.preferred, p.valid, now) });
    }
  }
  return { v4, v6, prefixes };
}

function v6Values(address: string, origin: string, prefix: string, preferred: number | undefined, valid: number | undefined, now: number): Record<string, Value> {
  return {
    Enable: true,
    Status: 'Enabled',
    IPAddressStatus: preferred === 0 ? 'Deprecated' : 'Preferred',
    IPAddress: address,
    Origin: origin,
    Prefix: prefix,
    Anycast: false,
    PreferredLifetime: lifetimeEnd(now, preferred),
    ValidLifetime: lifetimeEnd(now, valid),
  };
}

function prefixValues(prefix: string, origin: string, onLink: boolean, preferred: number | undefined, valid: number | undefined, now: number): Record<string, Value> {
  return {
    Enable: true,
    Status: 'Enabled',
    PrefixStatus: preferred === 0 ? 'Deprecated' : 'Preferred',
    Prefix: prefix,
    Origin: origin,
    StaticType: 'Inapplicable',
    OnLink: onLink,
    PreferredLifetime: lifetimeEnd(now, preferred),
    ValidLifetime: lifetimeEnd(now, valid),
  };
}
