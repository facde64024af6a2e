/**
 * Device.Cellular. from ModemManager (TR-181 CellularInterfaceBase:2, CellularInterfaceExtended:2,
 * USIM:1), mapped as docs/platform-mapping.md says: one Interface per modem, its USIM, and one
 * AccessPoint per data bearer (bearer-access-points.ts: Add creates a bearer, Delete deletes it).
 * Instances are keyed by what survives a re-plug (the modem's physical device path, the
 * bearer's D-Bus path), not by ModemManager's modem index, which grows on every re-probe.
 *
 * Interface writes: Enable enables or disables the modem (`mmcli -m M --enable`/`--disable`),
 * NetworkRequested registers it with an operator code or automatically
 * (`--3gpp-register-in-operator`/`--3gpp-register-home`). ModemManager does not say which
 * operator was requested and forgets it when it restarts, so NetworkRequested reads what the
 * agent asked, kept in the agent's store ("" automatic, ModemManager's own default) and asked
 * again at start and when ModemManager restarts (kept-cellular.ts, cellular-restore.ts). LastChange counts from the read where the agent
 * first saw the current Status (ModemManager keeps no time of a state change). AvailableNetworks
 * is the network in use: a full list needs `--3gpp-scan`, which interrupts the data session.
 *
 * PreferredAccessTechnology sets the modem's preferred mode, its allowed modes kept
 * (`--set-allowed-modes=... --set-preferred-mode=...`; "Auto": no preferred mode). Modes are per
 * generation: UMTSHSPA asks for 3g and reads back UMTS.
 *
 * Not served: the Up/Downstream rates. Stats are the data netdev's kernel counters (cellular-stats.ts).
 * Where the APNs are the host's own configuration (OpenWrt: UCI network interfaces with proto
 * modemmanager), `accessPoints: 'external'` leaves AccessPoint to that platform, which finds each
 * row's Interface through `modems()`, and RoamingEnabled and NetworkRequested come from its
 * configuration too (`host`: OpenWrt's UCI `allow_roaming` and `plmn`, which its proto applies).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import {
  allowedModes,
  currentAccessTechnology,
  interfaceStatus,
  netPort,
  preferredMode,
  preferredAccessTechnology,
  radioValues,
  roamingStatus,
  supportedAccessTechnologies,
  usimStatus,
} from './map-cellular.js';
import type { Mmcli } from './Mmcli.js';
import { known, type MmcliModem, pathIndex } from './mmcli-types.js';
import { registerWithVendorParams, sinrParam } from '../vendor-param.js';
import { StatusSeen } from '../status-seen.js';
import { CommandError } from '../exec/CommandError.js';
import { registerBearerAccessPoints, type RoamingSource } from './bearer-access-points.js';
import type { Logger } from '../../datamodel/Logger.js';
import { CellularRestore, type RestoreModem } from './cellular-restore.js';
import { KeptCellular } from './kept-cellular.js';
import { registerCellularStats } from './cellular-stats.js';

/**
 * Settings of the modems that the host platform keeps in its own configuration and applies
 * when it connects (OpenWrt: UCI network interfaces with proto modemmanager).
 */
export interface CellularHostSettings {
  /** Device.Cellular.RoamingEnabled. */
  roaming: RoamingSource;
  /** Interface.NetworkRequested of the modem at sysfs path `device`: an operator code, or "" (automatic). */
  networkRequested: { get(device: string): Promise<string>; set(device: string, operatorCode: string): Promise<void> };
  /** Interface.PreferredAccessTechnology of the modem at `device`: the modes it may use, the one it prefers (undefined: none). */
  preferredModes: { set(device: string, allowed: readonly string[], preferred: string | undefined): Promise<void> };
}

/** Runs a ModemManager change; its refusal is 7002 with mmcli's message. */
async function mmcliChange(fn: () => Promise<void>, what: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    throw new UspError(ErrorCode.RequestDenied, `${what}: ${e instanceof CommandError || e instanceof Error ? e.message : String(e)}`);
  }
}

interface Modem {
  /** ModemManager's index now ("0" in /Modem/0), for `mmcli -m`. */
  index: string;
  /** Stable key: the physical device path. */
  key: string;
  data: NonNullable<MmcliModem['modem']>;
}

/** A modem as another platform names it: by its device path, with its Interface row. */
export interface ModemInterface {
  /** mmcli `generic.device`: the modem's physical device path under /sys (UCI `option device`). */
  device: string;
  /** Its Device.Cellular.Interface.{i} row as a reference, without the trailing ".". */
  interface: string;
}

/**
 * Where Device.Cellular.AccessPoint.{i} comes from: ModemManager's bearers (writable), or
 * another platform that owns the APN configuration ('external': not registered here).
 */
export type AccessPointSource = 'bearers' | 'external';

/**
 * Serves Device.Cellular. and its Interface, USIM and (from bearers) AccessPoint objects. What a
 * Controller writes that ModemManager forgets is kept in `kept` and, with 'bearers', applied
 * again by the returned `restore` (its stateLoaded() once the agent's store is loaded).
 */
export function registerCellular(
  model: DataModel,
  mmcli: Mmcli,
  vendorPrefix: string | undefined,
  accessPoints: AccessPointSource = 'bearers',
  host?: CellularHostSettings,
  now: () => number = Date.now,
  keep: { kept?: KeptCellular; log?: Logger; checkMs?: number; sysRoot?: string } = {},
): { modems(): Promise<ModemInterface[]>; restore?: CellularRestore } {
  const { kept = new KeptCellular(undefined), log } = keep;
  const modemNumbers = new InstanceMap();
  const statusSeen = new StatusSeen(now);
  /** Puts back what ModemManager forgot (with 'bearers': OpenWrt's proto applies its UCI itself). */
  let restore: CellularRestore | undefined;
  // The bearers (generic Linux) or the host platform's configuration (OpenWrt's UCI) hold it.
  let roamingSource: RoamingSource | undefined = accessPoints === 'bearers' ? undefined : host?.roaming;
  const servesRoaming = accessPoints === 'bearers' || host !== undefined;

  /** Every modem, in ModemManager's order; one `-L` and one `-m` per modem per cache period. */
  const modems = async (): Promise<Modem[]> => {
    const indices = (await mmcli.list()).map(pathIndex).filter((i): i is string => i !== undefined);
    mmcli.retainModems(new Set(indices));
    const all = await Promise.all(
      indices.map(async (index) => {
        const data = (await mmcli.modem(index)).modem ?? {};
        return { index, key: known(data.generic?.device) ?? known(data['dbus-path']) ?? `modem ${index}`, data };
      }),
    );
    restore?.seen(all.map(restoreModem));
    return all;
  };
  const modemAt = async (n: number | undefined): Promise<Modem> => {
    const key = modemNumbers.requireKey(n);
    const m = (await modems()).find((x) => x.key === key);
    if (!m) throw new UspError(ErrorCode.ObjectDoesNotExist, `cellular interface ${n} (${key}) is no longer present`);
    return m;
  };

  model.register('Device.Cellular.', {
    params: servesRoaming ? ['RoamingEnabled', 'RoamingStatus'] : ['RoamingStatus'],
    get: async () => {
      const first = (await modems())[0];
      const roaming = roamingStatus(first?.data['3gpp']?.['registration-state']);
      const values: Record<string, Value> = {};
      if (roamingSource) values.RoamingEnabled = await roamingSource.get();
      if (roaming) values.RoamingStatus = roaming;
      return values;
    },
    set: async (_keys, changes) => {
      if (changes.RoamingEnabled !== undefined && roamingSource) await roamingSource.set(changes.RoamingEnabled === true);
    },
  });

  // Like RSRP/RSRQ: whole dB, {{maxval}} when unknown.
  const sinr = sinrParam(vendorPrefix);
  const served = registerWithVendorParams(
    model,
    'Device.Cellular.Interface.{i}.',
    {
      params: [
        'Enable',
        'Status',
        'Name',
        'LastChange',
        'Upstream',
        'IMEI',
        'SupportedAccessTechnologies',
        'PreferredAccessTechnology',
        'CurrentAccessTechnology',
        'AvailableNetworks',
        'NetworkRequested',
        'NetworkInUse',
        'RSSI',
        'RSRP',
        'RSRQ',
      ],
      list: async () => modemNumbers.list((await modems()).map((m) => m.key)),
      get: async ([n]) => {
        const { index, key, data } = await modemAt(n);
        const g = data.generic ?? {};
        const gpp = data['3gpp'] ?? {};
        const state = known(g.state);
        const tech = currentAccessTechnology(g['access-technologies']);
        const status = interfaceStatus(state);
        const inUse = (known(gpp['operator-name']) ?? known(gpp['operator-code']) ?? '').slice(0, 64);
        const values: Record<string, Value> = {
          Status: status,
          // ModemManager keeps no time of a state change: counted from the read where the agent first saw this Status.
          LastChange: statusSeen.lastChange(key, status),
          Upstream: true,
          SupportedAccessTechnologies: supportedAccessTechnologies(g['current-capabilities']).join(','),
          PreferredAccessTechnology: preferredAccessTechnology(g['current-modes']),
          // Without a network scan (it interrupts the data session) the one network known to be available is the one in use.
          AvailableNetworks: inUse.replace(/,/g, ''),
          NetworkRequested: host ? await host.networkRequested.get(known(g.device) ?? '') : kept.networkRequested(key),
          NetworkInUse: inUse,
        };
        // Administrative state: only a disabled modem is not enabled (a failed one is enabled and broken).
        if (state !== undefined) values.Enable = state !== 'disabled' && state !== 'disabling';
        const name = netPort(g.ports) ?? known(g['primary-port']);
        if (name !== undefined) values.Name = name.slice(0, 64);
        const imei = known(gpp.imei);
        if (imei !== undefined && /^\d{15}$/.test(imei)) values.IMEI = imei;
        if (tech !== undefined) values.CurrentAccessTechnology = tech;
        const radio = radioValues(await mmcli.signal(index), tech);
        values.RSSI = radio.RSSI;
        values.RSRP = radio.RSRP;
        values.RSRQ = radio.RSRQ;
        if (sinr && served.has(sinr.name)) values[sinr.name] = radio.SINR;
        return values;
      },
      set: async ([n], changes) => {
        const { index, key, data } = await modemAt(n);
        const device = known(data.generic?.device) ?? '';
        // Every value is checked before any is applied: a refused one changes nothing.
        const bad: Array<{ param: string; message: string }> = [];
        const code = changes.NetworkRequested === undefined ? undefined : String(changes.NetworkRequested);
        // ModemManager registers by operator code (MCC and MNC), not by name.
        if (code !== undefined && code !== '' && !/^\d{5,6}$/.test(code)) {
          bad.push({ param: 'NetworkRequested', message: `${JSON.stringify(code)} is not an operator code (MCC+MNC, 5 or 6 digits); "" registers automatically` });
        }
        const tech = changes.PreferredAccessTechnology === undefined ? undefined : String(changes.PreferredAccessTechnology);
        const allowed = allowedModes(data.generic?.['current-modes']);
        const preferred = tech === undefined ? undefined : preferredMode(tech);
        if (tech !== undefined && tech !== 'Auto' && (preferred === undefined || !allowed.includes(preferred))) {
          bad.push({ param: 'PreferredAccessTechnology', message: `the modem may use ${allowed.join(', ') || 'no known mode'} now: ${tech} is not one of them` });
        }
        if (bad.length > 0) {
          throw new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), { paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })) });
        }
        // Where the host's connection setup applies these (OpenWrt's proto: plmn, allowedmode,
        // preferredmode) they go to its configuration: an mmcli change would not outlive its next run.
        if (code !== undefined) {
          if (host) await host.networkRequested.set(device, code);
          else {
            await mmcliChange(() => mmcli.register(index, code), 'ModemManager could not register the modem');
            kept.setNetworkRequested(key, code);
          }
        }
        if (tech !== undefined) {
          if (host) await host.preferredModes.set(device, allowed, preferred);
          else await mmcliChange(() => mmcli.setModes(index, allowed, preferred), 'ModemManager could not set the preferred mode');
        }
        if (changes.Enable !== undefined) await mmcliChange(() => mmcli.enableModem(index, changes.Enable === true), `ModemManager could not ${changes.Enable ? 'enable' : 'disable'} the modem`);
      },
    },
    sinr ? [sinr] : [],
  );

  model.register('Device.Cellular.Interface.{i}.USIM.', {
    params: ['Status', 'IMSI', 'ICCID', 'MSISDN', 'PINCheck'],
    get: async ([n]) => {
      const { data } = await modemAt(n);
      const g = data.generic ?? {};
      const status = usimStatus(g.sim, g['unlock-required']);
      const values: Record<string, Value> = { Status: status };
      if (status === 'None') return values;
      // The PIN lock is the "sim" facility; "fixed-dialing" (PIN2) does not guard network access.
      values.PINCheck = (data['3gpp']?.['enabled-locks'] ?? []).includes('sim') ? 'OnNetworkAccess' : 'Off';
      const simIndex = pathIndex(g.sim);
      const props = simIndex === undefined ? undefined : (await mmcli.sim(simIndex)).sim?.properties;
      const imsi = known(props?.imsi);
      const iccid = known(props?.iccid);
      const msisdn = (g['own-numbers'] ?? []).map(known).find((s) => s !== undefined);
      // TR-181 sizes: IMSI 14-15, ICCID 6-20, MSISDN 14-15 characters; anything else is not served.
      if (imsi !== undefined && /^\d{14,15}$/.test(imsi)) values.IMSI = imsi;
      if (iccid !== undefined && /^[0-9A-Fa-f]{6,20}$/.test(iccid)) values.ICCID = iccid;
      if (msisdn !== undefined && /^.{14,15}$/u.test(msisdn)) values.MSISDN = msisdn;
      return values;
    },
  });

  // The data netdev's kernel counters (cellular-stats.ts; `keep.sysRoot`: where /sys is).
  registerCellularStats(model, mmcli, modemAt, keep.sysRoot);

  /** Modems with a known device path, numbered as Interface.{i} lists them (ModemManager's order). */
  const modemInterfaces = async (): Promise<ModemInterface[]> => {
    const all = await modems();
    modemNumbers.list(all.map((m) => m.key));
    return all.flatMap((m) => {
      const device = known(m.data.generic?.device);
      return device === undefined ? [] : [{ device, interface: `Device.Cellular.Interface.${modemNumbers.numberOf(m.key)}` }];
    });
  };
  if (accessPoints === 'external') return { modems: modemInterfaces };

  const bearers = registerBearerAccessPoints(
    model,
    mmcli,
    {
      all: async () => (await modems()).map((m) => ({ index: m.index, key: m.key, bearers: m.data.generic?.bearers ?? [] })),
      interfaceOf: (m) => `Device.Cellular.Interface.${modemNumbers.numberOf(m.key)}`,
    },
    kept,
    log,
  );
  roamingSource = bearers.roaming;
  restore = new CellularRestore(
    {
      modems: async () => (await modems()).map(restoreModem),
      networkRequested: (key) => kept.networkRequested(key),
      anythingKept: () => kept.anything(),
      register: (index, code) => mmcli.register(index, code),
      restoreBearers: (m) => bearers.restore(m),
      log,
    },
    keep.checkMs,
  );
  return { modems: modemInterfaces, restore };
}

/** What the restore needs of a modem. */
function restoreModem(m: Modem): RestoreModem {
  return { index: m.index, key: m.key, operatorCode: known(m.data['3gpp']?.['operator-code']), bearers: m.data.generic?.bearers ?? [] };
}
