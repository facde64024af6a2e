/**
 * Device.Cellular. from ModemManager (TR-181 CellularInterface:1, USIM:1, AccessPoint:1),
 * mapped as docs/platform-mapping.md says: one Interface per modem, its USIM, and one AccessPoint per data
 * bearer. Instances are keyed by what survives a re-plug (the modem's physical device path, the
 * bearer's D-Bus path), not by ModemManager's modem index, which grows on every re-probe.
 *
 * Not served: LastChange, AvailableNetworks (needs a disruptive network scan), the Up/Downstream
 * rates, Alias and Stats (ModemManager keeps no per-interface counters to map; the net
 * port's counters belong to the Linux side), and the writable settings, which would need
 * `mmcli --create-bearer`. Where the APNs are the host's own configuration (OpenWrt: UCI
 * network interfaces with proto modemmanager), `accessPoints: 'external'` leaves AccessPoint to
 * that platform, which finds each row's Interface through `modems()`.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { currentAccessTechnology, interfaceStatus, ipVersion, netPort, preferredAccessTechnology, radioValues, roamingStatus, supportedAccessTechnologies, usimStatus } from './map-cellular.js';
import type { Mmcli } from './Mmcli.js';
import { known, type MmcliModem, pathIndex } from './mmcli-types.js';
import { registerWithVendorParams, sinrParam } from '../vendor-param.js';

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
 * Where Device.Cellular.AccessPoint.{i} comes from: ModemManager's bearers (read-only), or
 * another platform that owns the APN configuration ('external': not registered here).
 */
export type AccessPointSource = 'bearers' | 'external';

/** Serves Device.Cellular. and its Interface, USIM and (from bearers) AccessPoint objects. */
export function registerCellular(model: DataModel, mmcli: Mmcli, vendorPrefix: string | undefined, accessPoints: AccessPointSource = 'bearers'): { modems(): Promise<ModemInterface[]> } {
  const modemNumbers = new InstanceMap();
  const apNumbers = new InstanceMap();

  /** Every modem, in ModemManager's order; one `-L` and one `-m` per modem per cache period. */
  const modems = async (): Promise<Modem[]> => {
    const indices = (await mmcli.list()).map(pathIndex).filter((i): i is string => i !== undefined);
    mmcli.retainModems(new Set(indices));
    return Promise.all(
      indices.map(async (index) => {
        const data = (await mmcli.modem(index)).modem ?? {};
        return { index, key: known(data.generic?.device) ?? known(data['dbus-path']) ?? `modem ${index}`, data };
      }),
    );
  };
  const modemAt = async (n: number | undefined): Promise<Modem> => {
    const key = modemNumbers.requireKey(n);
    const m = (await modems()).find((x) => x.key === key);
    if (!m) throw new UspError(ErrorCode.ObjectDoesNotExist, `cellular interface ${n} (${key}) is no longer present`);
    return m;
  };

  model.register('Device.Cellular.', {
    params: ['RoamingStatus'],
    get: async () => {
      const first = (await modems())[0];
      const roaming = roamingStatus(first?.data['3gpp']?.['registration-state']);
      const values: Record<string, Value> = {};
      if (roaming) values.RoamingStatus = roaming;
      return values;
    },
  });

  // Like RSRP/RSRQ: whole dB, {{maxval}} when unknown.
  const sinr = sinrParam(vendorPrefix);
  const served = registerWithVendorParams(
    model,
    'Device.Cellular.Interface.{i}.',
    {
      params: ['Enable', 'Status', 'Name', 'Upstream', 'IMEI', 'SupportedAccessTechnologies', 'PreferredAccessTechnology', 'CurrentAccessTechnology', 'NetworkInUse', 'RSSI', 'RSRP', 'RSRQ'],
      list: async () => modemNumbers.list((await modems()).map((m) => m.key)),
      get: async ([n]) => {
        const { index, data } = await modemAt(n);
        const g = data.generic ?? {};
        const gpp = data['3gpp'] ?? {};
        const state = known(g.state);
        const tech = currentAccessTechnology(g['access-technologies']);
        const values: Record<string, Value> = {
          Status: interfaceStatus(state),
          Upstream: true,
          SupportedAccessTechnologies: supportedAccessTechnologies(g['current-capabilities']).join(','),
          PreferredAccessTechnology: preferredAccessTechnology(g['current-modes']),
          NetworkInUse: (known(gpp['operator-name']) ?? known(gpp['operator-code']) ?? '').slice(0, 64),
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

  /** Data bearers of every modem: [AccessPoint key, modem, bearer index]. */
  const bearers = async (): Promise<Array<{ key: string; modem: Modem; bearer: string }>> => {
    const out: Array<{ key: string; modem: Modem; bearer: string }> = [];
    for (const modem of await modems()) {
      for (const path of modem.data.generic?.bearers ?? []) {
        const bearer = pathIndex(path);
        if (bearer !== undefined) out.push({ key: `${modem.key} ${path}`, modem, bearer });
      }
    }
    return out;
  };
  model.register('Device.Cellular.AccessPoint.{i}.', {
    params: ['Enable', 'APN', 'Username', 'Password', 'Interface', 'IPVersion', 'Type'],
    list: async () => apNumbers.list((await bearers()).map((b) => b.key)),
    get: async ([n]) => {
      const key = apNumbers.requireKey(n);
      const b = (await bearers()).find((x) => x.key === key);
      if (!b) throw new UspError(ErrorCode.ObjectDoesNotExist, `access point ${n} is no longer present`);
      const props = (await mmcli.bearer(b.bearer)).bearer?.properties ?? {};
      return {
        // A bearer ModemManager keeps is a configured access point, connected or not.
        Enable: true,
        APN: (known(props.apn) ?? '').slice(0, 64),
        Username: (known(props.user) ?? '').slice(0, 256),
        Password: (known(props.password) ?? '').slice(0, 256),
        Interface: `Device.Cellular.Interface.${modemNumbers.numberOf(b.modem.key)}`,
        IPVersion: ipVersion(props['ip-type']),
        // mmcli prints APN types as "default" or "default, ims": a TR-181 list has no spaces.
        Type: (known(props['apn-type']) ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .join(','),
      };
    },
  });
  return { modems: modemInterfaces };
}
