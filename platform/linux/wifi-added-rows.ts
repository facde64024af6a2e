/**
 * Add, Delete and the reads and Sets of the Device.WiFi.SSID.{i} and AccessPoint.{i} rows a
 * Controller added on generic Linux (wifi-added.ts holds them and runs their BSSes). Every value
 * is checked before anything changes (7012), the radio's room (7005) and hostapd's global control
 * interface (7012 naming the fix) before a row is kept; a row changes in the store only after
 * hostapd took what it had to.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { AddedWiFi, type AddedBss, MAX_ADDED } from './wifi-added.js';
import { accessPointSettings, securitySettings } from './wifi-ap-settings.js';
import { allowedMacs, setAcceptList } from './wifi-mac-access.js';
import type { BssKeys } from './wifi-bss-file.js';
import { changesViaFile } from './wifi-bss-modes.js';
import { setAddedSecurityViaFile } from './wifi-added-security.js';
import { readBssKeys } from './wifi-bss-file.js';
import type { HeldWiFiSettings } from './wifi-held.js';
import type { WiFiBss, WiFiSource } from './WiFiSource.js';
import { type HostapdWriter, invalid, ssidProblem } from './wifi-write.js';
import { accessPointIfname, apNumberOf } from './wifi-ap-ssid-move.js';

export interface AddedRowsContext {
  added: AddedWiFi;
  source: WiFiSource;
  writer: HostapdWriter;
  held: HeldWiFiSettings;
}

/** The instance number a reference names ("Device.WiFi.Radio.2" or with its trailing dot), if it names one of `table`. */
function referenced(value: Value | undefined, table: string): number | undefined {
  const m = new RegExp(`^Device\\.WiFi\\.${table}\\.(\\d+)\\.?$`).exec(String(value ?? ''));
  return m ? Number(m[1]) : undefined;
}

const deleteFailure = (message: string): UspError => new UspError(ErrorCode.DeleteFailure, message);

/**
 * The radio a new or moved SSID names in LowerLayers, checked: one hostapd runs (7012), with room
 * for another BSS (7005: `iw phy`'s interface combinations), whose hostapd answers on the global
 * control interface (7012 naming the fix). `moving` is the row being moved (not counted).
 */
async function radioFor(x: AddedRowsContext, value: Value | undefined, moving?: AddedBss): Promise<{ phy: string; first: string; onRadio: string[] }> {
  const snap = await x.source.read();
  const radioN = referenced(value, 'Radio');
  const phy = radioN === undefined ? undefined : x.source.radios.keyOf(radioN);
  const onRadio = phy === undefined ? undefined : snap.radios.get(phy);
  if (!phy || !onRadio?.length) throw invalid('LowerLayers', 'an SSID here names the Radio it runs on (Device.WiFi.Radio.{i}, one hostapd runs)');
  const rows = x.added.all().filter((r) => r !== moving && r.ifname !== moving?.ifname);
  const own = onRadio.filter((i) => !x.added.byIfname(i));
  const limit = await x.source.apLimit(phy);
  const onPhy = own.length + rows.filter((r) => r.phy === phy).length;
  if (onPhy >= limit) throw new UspError(ErrorCode.ResourcesExceeded, `Radio ${radioN} (${phy}) runs at most ${limit} BSSes together (iw phy: valid interface combinations); it has ${onPhy}`);
  const first = own[0] ?? onRadio[0]!;
  const listed = await x.added.opts.global.interfaces();
  if (!listed.includes(first)) throw x.added.opts.global.missing(`the hostapd running ${first} does not answer there: it was started without -g`);
  return { phy, first, onRadio };
}

/** Add of Device.WiFi.SSID.{i}: LowerLayers names the Radio; the row is kept, its BSS file written; runs once an AccessPoint references it. */
export async function addSsid(x: AddedRowsContext, params: Record<string, Value>): Promise<number> {
  const ssid = params.SSID === undefined ? '' : String(params.SSID);
  if (ssid !== '') {
    const problem = ssidProblem(ssid);
    if (problem) throw invalid('SSID', problem);
  }
  const rows = x.added.all();
  if (rows.length >= MAX_ADDED) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_ADDED} SSIDs can be added here`);
  const { phy, first, onRadio } = await radioFor(x, params.LowerLayers);
  let k = 1;
  while (onRadio.includes(`${first}_${k}`) || rows.some((r) => r.ifname === `${first}_${k}`)) k++;
  const ifname = `${first}_${k}`;
  if (ifname.length > 15) throw invalid('LowerLayers', `no interface name is left for another BSS of ${first}`);
  const row: AddedBss = { n: x.source.bssNumbers.numberOf(ifname), ifname, phy, ssid, ssidEnable: params.Enable === true };
  await x.added.writeFile(row, {});
  x.added.put(row);
  return row.n;
}

/** Add of Device.WiFi.AccessPoint.{i}: SSIDReference names an added SSID without one; the pair shares its instance number. */
export async function addAccessPoint(x: AddedRowsContext, params: Record<string, Value>): Promise<number> {
  const n = referenced(params.SSIDReference, 'SSID');
  const key = n === undefined ? undefined : x.source.bssNumbers.keyOf(n);
  const row = key === undefined ? undefined : x.added.byIfname(key);
  if (n === undefined) throw invalid('SSIDReference', 'an AccessPoint here is the BSS of its SSID: the Add names it (Device.WiFi.SSID.{i})');
  if (!row) throw invalid('SSIDReference', key === undefined ? `there is no SSID ${n}` : `SSID ${n} already has its AccessPoint (hostapd runs it from its own file)`);
  if (row.ap) throw invalid('SSIDReference', `SSID ${n} already has its AccessPoint ${n}`);
  if (row.apDeleted) throw invalid('SSIDReference', `SSID ${n} had AccessPoint ${n}, which was deleted (an instance number is not used twice): add a new SSID`);
  const next: AddedBss = { ...row, ap: { enable: params.Enable === true, mode: 'WPA2-Personal' } };
  const held = Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'Enable' && k !== 'SSIDReference'));
  accessPointSettings(held); // checks the values (7012) before anything is kept
  // The accept list as hostapd lists it; sent with the rest of what is held when the BSS starts (wifi-reapply.ts).
  if (held.AllowedMACAddress !== undefined) held.AllowedMACAddress = allowedMacs(held.AllowedMACAddress).join(',');
  if (AddedWiFi.runs(next)) {
    const why = await x.added.notRunnable(next);
    if (why) throw why;
  }
  await x.added.writeFile(next);
  await applyNow(x, next);
  x.added.put(next);
  x.held.write(`bss:${row.ifname}`, held);
  return row.n;
}

/** Delete of an added SSID: its BSS stops, its AccessPoint goes with it (it cannot be without one), its file is removed. */
export async function deleteSsid(x: AddedRowsContext, n: number | undefined): Promise<void> {
  const row = addedRow(x, n, 'SSID');
  await applyNow(x, { ...row, ap: undefined });
  await x.added.removeFile(row.ifname);
  x.added.drop(row.ifname);
  x.held.forget(`bss:${row.ifname}`);
  x.source.bssNumbers.retire(row.ifname);
}

/** Delete of an added AccessPoint: its BSS stops; the SSID stays, kept by the agent. */
export async function deleteAccessPoint(x: AddedRowsContext, n: number | undefined): Promise<void> {
  const key = accessPointIfname(x.added, x.source, n);
  if (key === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such AccessPoint: ${n}`);
  const row = addedRow(x, x.source.bssNumbers.peek(key), 'AccessPoint');
  if (!row.ap) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such AccessPoint: ${n}`);
  // The SSID's own AccessPoint number is not given again; one that moved here leaves the SSID free for a new one.
  const { apN: _moved, ...rest } = row;
  const next: AddedBss = { ...rest, ap: undefined, ...(row.apDeleted || apNumberOf(row) === row.n ? { apDeleted: true } : {}) };
  await applyNow(x, next);
  x.added.put(next);
  x.held.forget(`bss:${row.ifname}`);
}

function addedRow(x: AddedRowsContext, n: number | undefined, what: string): AddedBss {
  const key = x.source.bssNumbers.keyOf(n);
  const row = key === undefined ? undefined : x.added.byIfname(key);
  if (row) return row;
  if (key === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such ${what}: ${n}`);
  throw deleteFailure(`${what} ${n} is a BSS of hostapd's own configuration file (${key}): only what a Controller added can be deleted`);
}

/** Starts or stops the BSS as `row` says, against what hostapd lists now. */
async function applyNow(x: AddedRowsContext, row: AddedBss): Promise<void> {
  try {
    await x.added.apply(row, [...(await x.source.read()).bsses.keys()]);
  } finally {
    x.source.forget();
  }
}

/** The rows that are not running: SSID.{i} as the agent keeps it. */
export function idleSsidValues(x: AddedRowsContext, row: AddedBss): Record<string, Value> {
  return {
    Enable: row.ssidEnable,
    Status: 'Down',
    Name: row.ifname,
    LowerLayers: `Device.WiFi.Radio.${x.source.radios.numberOf(row.phy)}`,
    Upstream: false,
    BSSID: '',
    MACAddress: '',
    SSID: row.ssid,
  };
}

/** An AccessPoint.{i} whose BSS does not run. */
export function idleAccessPointValues(row: AddedBss): Record<string, Value> {
  return { Enable: row.ap?.enable ?? false, Status: 'Disabled', SSIDReference: `Device.WiFi.SSID.${row.n}`, WMMCapability: true, UAPSDCapability: false };
}

/** A Set of an added SSID: the row, its file, and hostapd when the BSS runs. */
export async function setAddedSsid(x: AddedRowsContext, row: AddedBss, changes: Record<string, Value>, running: WiFiBss | undefined): Promise<void> {
  const next = { ...row };
  if (changes.SSID !== undefined) {
    const problem = ssidProblem(String(changes.SSID));
    if (problem) throw invalid('SSID', problem);
    next.ssid = String(changes.SSID);
  }
  if (changes.Enable !== undefined) next.ssidEnable = changes.Enable === true;
  // Another radio: the BSS keeps its interface name (hostapd takes any) and moves while it does not run.
  if (changes.LowerLayers !== undefined && referenced(changes.LowerLayers, 'Radio') !== x.source.radios.peek(row.phy)) {
    if (running || AddedWiFi.runs(next)) throw invalid('LowerLayers', 'the BSS runs: disable its AccessPoint or this SSID to move it to another radio');
    next.phy = (await radioFor(x, changes.LowerLayers, row)).phy;
  }
  if (AddedWiFi.runs(next) && !running) {
    const why = await x.added.notRunnable(next);
    if (why) throw why;
  }
  await x.added.writeFile(next);
  try {
    if (running && next.ssid !== row.ssid && AddedWiFi.runs(next)) await x.writer.setSsid(row.ifname, next.ssid);
    await applyNow(x, next);
  } catch (e) {
    await x.added.writeFile(row);
    throw e;
  }
  x.added.put(next);
}

/** A Set of an added AccessPoint: Enable starts or stops its BSS; the other settings as for any BSS. */
export async function setAddedAccessPoint(x: AddedRowsContext, row: AddedBss, changes: Record<string, Value>, running: WiFiBss | undefined, current: Record<string, Value>): Promise<void> {
  const settings = accessPointSettings(changes, current);
  const next: AddedBss = { ...row, ap: { ...row.ap!, ...(changes.Enable !== undefined ? { enable: changes.Enable === true } : {}) } };
  if (AddedWiFi.runs(next) && !running) {
    const why = await x.added.notRunnable(next);
    if (why) throw why;
  }
  if (running && AddedWiFi.runs(next)) {
    // AllowedMACAddress comes checked and as hostapd lists it (wifi-access-point.ts); the list before macaddr_acl.
    if (changes.AllowedMACAddress !== undefined)
      await setAcceptList(
        x.writer,
        row.ifname,
        String(changes.AllowedMACAddress)
          .split(',')
          .filter((m) => m !== ''),
      );
    await x.writer.configure(row.ifname, settings);
  }
  await applyNow(x, next);
  x.added.put(next);
  x.held.write(`bss:${row.ifname}`, changes);
}

/** A Set of an added AccessPoint's Security: the keys go to its file (and to hostapd, through stdin, when it runs). */
export async function setAddedSecurity(x: AddedRowsContext, row: AddedBss, changes: Record<string, Value>, running: WiFiBss | undefined): Promise<void> {
  const mode = row.ap!.mode;
  // WEP, WPA2-Enterprise and their keys: the file rewritten and the BSS started again from it.
  if (changesViaFile(changes, mode, changes.ModeEnabled === undefined ? mode : String(changes.ModeEnabled))) return setAddedSecurityViaFile(x, row, changes, running);
  const settings = securitySettings(changes, mode); // 7012 for what cannot be, before anything changes
  const file = x.added.fileOf(row.ifname);
  const keys: BssKeys = { ...(await readBssKeys(file)) };
  for (const s of settings) if (s.secret) keys[s.key as keyof BssKeys] = s.value;
  const next: AddedBss = { ...row, ap: { ...row.ap!, mode: changes.ModeEnabled === undefined ? mode : String(changes.ModeEnabled) } };
  if (AddedWiFi.runs(next)) {
    const why = await x.added.notRunnable(next, keys);
    if (why) throw new UspError(ErrorCode.InvalidValue, why.message.replace(/^Enable: /, 'ModeEnabled: the AccessPoint runs, '));
  }
  const before = await readBssKeys(file);
  await x.added.writeFile(next, keys);
  try {
    if (running) await x.writer.configure(row.ifname, settings);
  } catch (e) {
    await x.added.writeFile(row, before);
    throw e;
  }
  x.added.put(next);
  x.source.forget();
}
