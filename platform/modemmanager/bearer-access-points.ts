/**
 * Device.Cellular.AccessPoint.{i}. from ModemManager's bearers on generic Linux (TR-181
 * CellularInterfaceBase:2, AccessPoint createDelete), and Device.Cellular.RoamingEnabled, which
 * ModemManager keeps per bearer (allow-roaming). One row per data bearer that `mmcli -m M -J`
 * lists (modem.generic.bearers), keyed by the modem's device path and the bearer's D-Bus path.
 *
 * - Add creates a bearer with the Add's own values (`mmcli -m M --create-bearer="apn=...,..."`),
 *   so a Controller that sends APN in the Add gets one bearer; a row added without APN is a bearer
 *   with an empty APN (the network's default) until a later Set gives one.
 * - ModemManager's bearer properties are fixed once created: a Set of APN, Username, Password,
 *   IPVersion, Type or Interface creates the new bearer, deletes the old one and connects the new
 *   one if the old one was; the row keeps its instance number.
 * - Enable is the bearer's connection: true connects it (`mmcli -b B --connect`), false
 *   disconnects it and keeps the bearer. ModemManager does not reconnect a bearer the network
 *   dropped, so Enable then reads false.
 * - Delete deletes the bearer (`mmcli -m M --delete-bearer=B`).
 *
 * ModemManager keeps bearers in memory only: a restart of ModemManager, or the modem re-probing,
 * loses them. The rows a Controller added (or remade by a Set) are kept in the agent's store
 * (kept-cellular.ts), and `restore` makes the missing ones again (cellular-restore.ts says when):
 * a kept row is there when a bearer of its modem has its APN and IP type, else it is created
 * with its properties and connected if its Enable was true. RoamingEnabled is kept too, for the
 * bearers made while none says. What ModemManager refuses fails the Add (7017), the Set (7002)
 * or the Delete (7024) with mmcli's own message.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { CommandError } from '../exec/CommandError.js';
import { canonicalizeReferences } from '../reference.js';
import { ipVersion } from './map-cellular.js';
import type { Mmcli } from './Mmcli.js';
import { known, type MmcliBearer, pathIndex } from './mmcli-types.js';
import type { KeptBearer, KeptCellular } from './kept-cellular.js';

/** A modem as the Cellular objects know it (cellular.ts). */
export interface BearerModem {
  /** ModemManager's index now, for `mmcli -m`. */
  index: string;
  /** Stable key: the physical device path. */
  key: string;
  bearers: readonly string[];
}

/** What the bearer table needs of the Interface table. */
export interface BearerModems {
  all(): Promise<BearerModem[]>;
  /** Device.Cellular.Interface.{i} of a modem, without the trailing ".". */
  interfaceOf(m: BearerModem): string;
}

/** Device.Cellular.RoamingEnabled's source (ModemManager's bearers here; UCI on OpenWrt). */
export interface RoamingSource {
  get(): Promise<boolean>;
  set(enabled: boolean): Promise<void>;
}

const AP = 'Device.Cellular.AccessPoint.{i}.';
/** Bearer properties: changing one makes a new bearer. */
const PROPERTY_PARAMS = ['APN', 'Username', 'Password', 'IPVersion', 'Type', 'Interface'] as const;
/** Bearers ModemManager holds are few (a modem has a handful of PDP contexts); refuse more before asking it. */
export const MAX_BEARERS = 16;

// 3GPP TS 23.003 §9.1: an APN Network Identifier is dot-separated labels of letters, digits and
// inner hyphens. "" is allowed: the network's default APN.
const APN_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
/** MMBearerApnType nicknames (libmm-glib mm_bearer_apn_type_build_string_from_mask). */
const APN_TYPES = new Set(['initial', 'default', 'ims', 'mms', 'management', 'voice', 'emergency', 'private', 'purchase', 'video-share', 'local', 'app', 'xcap', 'tethering']);

/** One row as the agent last read it. */
interface Row {
  key: string;
  modem: BearerModem;
  /** The bearer's index ("1" in /Bearer/1), for `mmcli -b`. */
  bearer: string;
}

/** The bearer table's sources beside the model. */
export interface BearerAccessPoints {
  /** Device.Cellular.RoamingEnabled. */
  roaming: RoamingSource;
  /** Makes the kept rows of `modem` that ModemManager lost again (never one it still has); whether one was lost. */
  restore(modem: BearerModem): Promise<boolean>;
}

/**
 * Serves the AccessPoint table from the bearers, writable, the rows a Controller makes kept in
 * `kept`. While no bearer says, RoamingEnabled is the value last written (kept too; ModemManager's
 * default for a new bearer: allowed).
 */
export function registerBearerAccessPoints(model: DataModel, mmcli: Mmcli, modems: BearerModems, kept: KeptCellular, log?: Logger): BearerAccessPoints {
  const numbers = new InstanceMap();
  /** Row key → the id of its kept row, for the rows a Controller made (this run's bearers). */
  const keptRows = new Map<string, number>();
  /** One change of ModemManager's bearers at a time: a restore never races a Controller's Add. */
  let changing: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = changing.then(fn, fn);
    changing = run.catch(() => undefined);
    return run;
  };

  const rows = async (): Promise<Row[]> => {
    const out: Row[] = [];
    for (const modem of await modems.all()) {
      for (const path of modem.bearers) {
        const bearer = pathIndex(path);
        if (bearer !== undefined) out.push({ key: `${modem.key} ${path}`, modem, bearer });
      }
    }
    return out;
  };
  const rowAt = async (n: number | undefined): Promise<Row> => {
    const key = numbers.requireKey(n);
    const r = (await rows()).find((x) => x.key === key);
    if (!r) throw new UspError(ErrorCode.ObjectDoesNotExist, `access point ${n} is no longer present`);
    return r;
  };
  const bearerOf = async (r: Row): Promise<NonNullable<MmcliBearer['bearer']>> => (await mmcli.bearer(r.bearer)).bearer ?? {};
  const values = async (r: Row): Promise<Record<string, Value>> => {
    const b = await bearerOf(r);
    const props = b.properties ?? {};
    return {
      Enable: known(b.status?.connected) === 'yes',
      APN: (known(props.apn) ?? '').slice(0, 64),
      Username: (known(props.user) ?? '').slice(0, 256),
      Password: (known(props.password) ?? '').slice(0, 256),
      Interface: modems.interfaceOf(r.modem),
      IPVersion: ipVersion(props['ip-type']),
      // mmcli prints APN types as "default" or "default, ims": a TR-181 list has no spaces.
      Type: apnTypes(props['apn-type']).join(','),
    };
  };
  /** The modem a row's Interface names; "" (or absent) is the only modem, when there is one. */
  const modemFor = async (ref: Value | undefined): Promise<BearerModem> => {
    const all = await modems.all();
    if (ref === undefined || ref === '') {
      if (all.length === 1) return all[0]!;
      throw invalid('Interface', all.length === 0 ? 'no modem is present' : 'name the Device.Cellular.Interface the access point uses: there are several modems');
    }
    const m = all.find((x) => modems.interfaceOf(x) === ref);
    if (!m) throw invalid('Interface', `${String(ref)} is not a Device.Cellular.Interface of a modem present now`);
    return m;
  };
  const roamingNow = async (): Promise<boolean> => {
    const all = await rows();
    if (all.length === 0) return kept.roaming() ?? true;
    const roaming = await Promise.all(all.map(async (r) => known((await bearerOf(r)).properties?.roaming)));
    // A bearer that says nothing (the initial EPS bearer) does not decide.
    const said = roaming.filter((x): x is string => x !== undefined);
    return said.length === 0 ? (kept.roaming() ?? true) : said.every((x) => x !== 'forbidden');
  };

  /** Creates the bearer `v` describes on `modem`, connects it if asked; its path. */
  const create = async (modem: BearerModem, v: Record<string, Value>, roaming: boolean, code: ErrorCode): Promise<string> => {
    const path = await refused(code, 'ModemManager could not create the bearer', () => mmcli.createBearer(modem.index, bearerProperties(v, roaming)));
    if (v.Enable === true) {
      const index = pathIndex(path)!;
      try {
        await refused(code, 'ModemManager created the bearer but could not connect it', () => mmcli.connectBearer(index, true));
      } catch (e) {
        // The request fails, so it leaves no bearer behind: the transaction only undoes what returned.
        await mmcli.deleteBearer(modem.index, index).catch(() => undefined);
        throw e;
      }
    }
    return path;
  };
  /** Replaces row `r` by a bearer with values `v` (same instance number); the new row's key. */
  const recreate = async (r: Row, v: Record<string, Value>, roaming: boolean): Promise<string> => {
    const modem = await modemFor(v.Interface);
    // Created first, so a bearer ModemManager refuses leaves the old one in place.
    const path = await create(modem, { ...v, Enable: false }, roaming, ErrorCode.RequestDenied);
    await refused(ErrorCode.RequestDenied, 'ModemManager could not delete the old bearer', () => mmcli.deleteBearer(r.modem.index, r.bearer));
    numbers.rekey([[r.key, `${modem.key} ${path}`]]);
    // A refusal here leaves the row with its new values, not connected, and says so.
    if (v.Enable === true)
      await refused(ErrorCode.RequestDenied, 'the bearer was made anew with the new values, but ModemManager could not connect it', () => mmcli.connectBearer(pathIndex(path)!, true));
    return `${modem.key} ${path}`;
  };

  /** The kept row of `r` (undefined: not one a Controller made). */
  const keptIdOf = (r: Row): number | undefined => keptRows.get(r.key);
  /** Keeps row `key` as a Controller's, with values `v` (a new id unless `id`). */
  const keep = (key: string, modem: BearerModem, v: Record<string, Value>, id?: number): void => {
    const values = {
      modem: modem.key,
      APN: String(v.APN ?? ''),
      Username: String(v.Username ?? ''),
      Password: String(v.Password ?? ''),
      IPVersion: v.IPVersion === undefined ? -1 : Number(v.IPVersion),
      Type: String(v.Type ?? ''),
      Enable: v.Enable === true,
    };
    keptRows.set(key, kept.keepBearer(id === undefined ? values : { ...values, id }));
  };

  model.register(AP, {
    params: ['Enable', 'APN', 'Username', 'Password', 'Interface', 'IPVersion', 'Type'],
    list: async () => numbers.list((await rows()).map((r) => r.key)),
    get: async ([n]) => values(await rowAt(n)),
    set: ([n], changes) =>
      serial(async () => {
        canonicalizeReferences(changes, ['Interface']);
        checkValues(changes);
        const r = await rowAt(n);
        const current = await values(r);
        const merged = { ...current, ...changes };
        const id = keptIdOf(r);
        if (PROPERTY_PARAMS.some((p) => changes[p] !== undefined && changes[p] !== current[p])) {
          const key = await recreate(r, merged, await roamingNow());
          // The agent made this bearer: it is the Controller's row now, kept.
          keptRows.delete(r.key);
          keep(key, await modemFor(merged.Interface), merged, id);
        } else if (changes.Enable !== undefined && changes.Enable !== current.Enable) {
          await refused(ErrorCode.RequestDenied, `ModemManager could not ${changes.Enable ? 'connect' : 'disconnect'} the bearer`, () => mmcli.connectBearer(r.bearer, changes.Enable === true));
          if (id !== undefined) keep(r.key, r.modem, merged, id);
        }
      }),
    add: (_parent, params) =>
      serial(async () => {
        canonicalizeReferences(params, ['Interface']);
        checkValues(params);
        const all = await rows();
        // The bearers present are numbered first (in ModemManager's order), so the new row never takes their numbers.
        numbers.list(all.map((r) => r.key));
        if (all.length >= MAX_BEARERS) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_BEARERS} access points (bearers)`);
        const modem = await modemFor(params.Interface);
        // Written into `params` itself, so the Add reports the Interface the row really has.
        params.Interface = modems.interfaceOf(modem);
        const path = await create(modem, params, await roamingNow(), ErrorCode.ObjectCouldNotBeCreated);
        const key = `${modem.key} ${path}`;
        keep(key, modem, params);
        return numbers.numberOf(key);
      }),
    delete: ([n]) =>
      serial(async () => {
        const r = await rowAt(n);
        await refused(ErrorCode.DeleteFailure, 'ModemManager could not delete the bearer', () => mmcli.deleteBearer(r.modem.index, r.bearer));
        numbers.retire(r.key);
        const id = keptIdOf(r);
        if (id !== undefined) kept.forgetBearer(id);
        keptRows.delete(r.key);
      }),
  });

  /** Makes the kept rows of `modem` that it no longer has again, connected where their Enable was true. */
  const restore = (modem: BearerModem): Promise<boolean> =>
    serial(async () => {
      const mine = kept.bearers().filter((b) => b.modem === modem.key);
      if (mine.length === 0) return false;
      const present = (await rows()).filter((r) => r.modem.key === modem.key);
      const props = new Map(await Promise.all(present.map(async (r) => [r.key, (await bearerOf(r)).properties ?? {}] as const)));
      // What the Controller left to ModemManager (an empty APN, IPVersion -1) matches what it chose.
      const same = (r: Row, b: KeptBearer): boolean => {
        const p = props.get(r.key);
        const apn = b.APN === '' || (known(p?.apn) ?? '').toLowerCase() === b.APN.toLowerCase();
        return apn && (b.IPVersion === -1 || ipVersion(p?.['ip-type']) === b.IPVersion);
      };
      // This run's rows of the kept bearers stay theirs while their bearer is there, unchanged; the
      // others were lost (a restarted ModemManager may give their path to another bearer).
      const claimed = new Set<string>();
      const found = new Set<number>();
      const lost = new Map<number, string>();
      for (const [key, id] of [...keptRows]) {
        const b = mine.find((x) => x.id === id);
        if (!b) continue;
        const r = present.find((x) => x.key === key);
        if (r && same(r, b)) {
          claimed.add(key);
          found.add(id);
        } else {
          keptRows.delete(key);
          lost.set(id, key);
        }
      }
      const roaming = await roamingNow();
      let lostOne = false;
      for (const b of mine) {
        if (found.has(b.id)) continue;
        // After a start, or a restart of ModemManager: a bearer with its APN and IP type is the row's, never made twice.
        const match = present.find((r) => !claimed.has(r.key) && same(r, b));
        if (match) {
          claimed.add(match.key);
          keptRows.set(match.key, b.id);
        } else {
          lostOne = true;
          await remake(modem, b, roaming, lost.get(b.id), present);
        }
      }
      return lostOne;
    });
  /** Creates kept row `b`'s bearer on `modem` (connected if its Enable was true); a refusal is logged, the row stays kept. */
  const remake = async (modem: BearerModem, b: KeptBearer, roaming: boolean, before: string | undefined, present: readonly Row[]): Promise<void> => {
    try {
      const path = await mmcli.createBearer(modem.index, bearerProperties({ APN: b.APN, Username: b.Username, Password: b.Password, IPVersion: b.IPVersion, Type: b.Type }, roaming));
      const key = `${modem.key} ${path}`;
      // A number the new path had was a bearer ModemManager lost: it goes. The row keeps the number
      // this run gave it, unless its old key names another bearer now.
      numbers.retire(key);
      if (before !== undefined && !present.some((r) => r.key === before)) numbers.rekey([[before, key]]);
      keptRows.set(key, b.id);
      log?.info('access point made again: ModemManager had lost its bearer', { modem: modem.key, APN: b.APN, bearer: path });
      if (b.Enable) {
        await mmcli.connectBearer(pathIndex(path)!, true).catch((e: unknown) => {
          log?.warn('access point made again but not connected', { APN: b.APN, why: e instanceof Error ? e.message : String(e) });
        });
      }
    } catch (e) {
      log?.warn('access point not made again: ModemManager refused the bearer', { modem: modem.key, APN: b.APN, why: e instanceof Error ? e.message : String(e) });
    }
  };

  const roaming: RoamingSource = {
    get: roamingNow,
    /** Every bearer whose allow-roaming differs is made anew with the new value (bearers are immutable). */
    set: (enabled) =>
      serial(async () => {
        for (const r of await rows()) {
          // A bearer that prints no roaming (the initial EPS bearer) is not a data bearer to make anew.
          const now = known((await bearerOf(r)).properties?.roaming);
          if (now === undefined || now === (enabled ? 'allowed' : 'forbidden')) continue;
          const id = keptIdOf(r);
          const key = await recreate(r, await values(r), enabled);
          keptRows.delete(r.key);
          if (id !== undefined) keptRows.set(key, id);
        }
        kept.setRoaming(enabled);
      }),
  };
  return { roaming, restore };
}

/** "default, ims" → ["default", "ims"]; "--" → []. */
function apnTypes(s: string | undefined): string[] {
  return (known(s) ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * The `--create-bearer` string (libmm-glib mm_common_parse_key_value_string): key=value pairs
 * separated by commas, each value in quotes so it may hold commas and spaces. A value cannot
 * hold both quote characters (checkValues refuses it).
 */
export function bearerProperties(v: Record<string, Value>, allowRoaming: boolean): string {
  const parts: string[] = [`apn=${quote(String(v.APN ?? ''))}`];
  if (v.IPVersion === 4) parts.push('ip-type=ipv4');
  else if (v.IPVersion === 6) parts.push('ip-type=ipv6');
  if (v.Username !== undefined && v.Username !== '') parts.push(`user=${quote(String(v.Username))}`);
  if (v.Password !== undefined && v.Password !== '') parts.push(`password=${quote(String(v.Password))}`);
  if (v.Type !== undefined && v.Type !== '') parts.push(`apn-type=${String(v.Type).split(',').join('|')}`);
  parts.push(`allow-roaming=${allowRoaming ? 'yes' : 'no'}`);
  return parts.join(',');
}

function quote(s: string): string {
  return s.includes("'") ? `"${s}"` : `'${s}'`;
}

/** Values ModemManager cannot take, refused before asking it (7012). */
function checkValues(v: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  if (v.APN !== undefined && v.APN !== '' && !APN_RE.test(String(v.APN))) bad.push({ param: 'APN', message: `${JSON.stringify(v.APN)} is not an APN network identifier (3GPP TS 23.003 §9.1)` });
  for (const param of ['Username', 'Password'] as const) {
    const s = v[param] === undefined ? '' : String(v[param]);
    if (CONTROL_RE.test(s)) bad.push({ param, message: 'must not hold control characters' });
    else if (s.includes("'") && s.includes('"')) bad.push({ param, message: "ModemManager's bearer properties cannot hold both ' and \" in one value" });
  }
  const unknownType =
    v.Type === undefined || v.Type === ''
      ? undefined
      : String(v.Type)
          .split(',')
          .find((t) => !APN_TYPES.has(t));
  if (unknownType !== undefined) bad.push({ param: 'Type', message: `${JSON.stringify(unknownType)} is not an APN type ModemManager knows (${[...APN_TYPES].join(', ')})` });
  if (bad.length > 0) {
    throw new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), { paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })) });
  }
}

function invalid(param: string, message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `${param}: ${message}`, { paramErrors: [{ param, message, code: ErrorCode.InvalidValue }] });
}

/** Runs a ModemManager change; its refusal becomes `code` with mmcli's message. */
async function refused<T>(code: ErrorCode, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UspError) throw e;
    const why = e instanceof CommandError ? e.message : e instanceof Error ? e.message : String(e);
    throw new UspError(code, `${what}: ${why}`);
  }
}
