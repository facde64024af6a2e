/**
 * The rows and switches of Device.RouterAdvertisement. on OpenWrt, over odhcpd's `ra` option of
 * each `config dhcp` section. Pure: UCI sections in, UCI changes out.
 *
 * - A row (InterfaceSetting.{i}) is a section with an `ra` mode odhcpd knows (server, hybrid,
 *   relay, disabled). Without the option odhcpd does not advertise there (its default mode is
 *   disabled), so Delete removes it, with the RA options the row maps, and a later Add starts
 *   from odhcpd's defaults; Enable false keeps the row as `ra 'disabled'`. A new Interface moves
 *   these options to that interface's section.
 * - Enable reads 'server' and 'hybrid' (odhcpd serves in hybrid mode unless a master interface
 *   relays); 'relay' forwards another router's advertisements and reads false.
 * - odhcpd has no switch of its own for router advertisement as a whole, so, as for
 *   DHCPv6.Server.Enable (dhcpv6-server-enable.ts), RouterAdvertisement.Enable false marks the
 *   `odhcpd` section with `usp_ra_disabled '1'` and turns each serving row to 'disabled',
 *   keeping its mode in `usp_ra_mode`; true gives the modes back. odhcpd reads neither option
 *   (its config parser ignores options it does not know). While off, a row's Enable reads and
 *   writes only its kept mode.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { listOption, stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

export const RA_DISABLED_OPTION = 'usp_ra_disabled';
export const RA_MODE_OPTION = 'usp_ra_mode';
/** The `ra` modes odhcpd parses: each makes a section a row. */
const RA_MODES = new Set(['server', 'hybrid', 'relay', 'disabled']);
const SERVING = new Set(['server', 'hybrid']);
/** The options a row maps (router-advertisement.ts): what Delete takes away with `ra`. */
export const RA_ROW_OPTIONS = [
  'ra',
  RA_MODE_OPTION,
  'ra_maxinterval',
  'ra_mininterval',
  'ra_lifetime',
  'ra_mtu',
  'ra_reachabletime',
  'ra_retranstime',
  'ra_hoplimit',
  'ra_flags',
  'ra_management',
  'ra_preference',
] as const;

const set = (section: string, option: string, value: string): UciChange => ({ section, option, value });
const remove = (section: string, option: string): UciChange => ({ section, option, value: '', remove: true });

/** The InterfaceSetting rows: `config dhcp` sections with an `ra` mode, in config order. */
export function raRowSections(config: UciConfig): UciSection[] {
  return config.filter((s) => s.type === 'dhcp' && RA_MODES.has(stringOption(s.options.ra) ?? ''));
}

/** Whether Device.RouterAdvertisement.Enable is false (the odhcpd section carries our marker). */
export function raOff(config: UciConfig): boolean {
  return uciBool(config.find((s) => s.type === 'odhcpd')?.options[RA_DISABLED_OPTION], false);
}

/** InterfaceSetting.{i}.Enable: its `ra` mode, or the mode kept while the switch is off. */
export function raRowEnabled(s: UciSection, off: boolean): boolean {
  if (off && s.options[RA_MODE_OPTION] !== undefined) return true;
  return SERVING.has(stringOption(s.options.ra) ?? '');
}

/** The UCI changes of a row's Enable: its `ra` while the switch is on, else only the kept mode. */
export function raRowEnableChanges(s: UciSection, enable: boolean, off: boolean): UciChange[] {
  if (enable === raRowEnabled(s, off)) return [];
  if (!off) return [set(s.name, 'ra', enable ? 'server' : 'disabled')];
  return enable ? [set(s.name, RA_MODE_OPTION, 'server')] : [remove(s.name, RA_MODE_OPTION)];
}

/** The UCI changes that delete a row: every option it maps that the section has. */
export function raRowDeleteChanges(s: UciSection): UciChange[] {
  return RA_ROW_OPTIONS.filter((o) => s.options[o] !== undefined).map((o) => remove(s.name, o));
}

/**
 * The UCI changes that move a row to another interface: its options leave `from` and go to `to`
 * (that interface's section, which has no row), and `to` as it will be after them. An option of
 * the row's that `to` had and `from` lacks goes, so the row keeps its values. `ra_flags` is a
 * list to odhcpd, written item by item.
 */
export function raRowMoveChanges(from: UciSection, to: UciSection): { changes: UciChange[]; moved: UciSection } {
  const changes = raRowDeleteChanges(from);
  const options = { ...to.options };
  for (const o of RA_ROW_OPTIONS) {
    const v = from.options[o];
    if (v === undefined) {
      if (to.options[o] !== undefined) changes.push(remove(to.name, o));
      delete options[o];
      continue;
    }
    options[o] = v;
    if (o === 'ra_flags') {
      if (to.options[o] !== undefined) changes.push(remove(to.name, o));
      for (const item of listOption(v)) changes.push({ section: to.name, option: o, value: item, append: true });
    } else changes.push(set(to.name, o, stringOption(v)!));
  }
  return { changes, moved: { ...to, options } };
}

/**
 * The UCI changes of RouterAdvertisement.Enable, or why it cannot be switched: off keeps each
 * serving row's mode and disables it; on gives the kept modes back and deletes them and the marker.
 */
export function raEnableChanges(config: UciConfig, enable: Value): UciChange[] | string {
  const odhcpd = config.find((s) => s.type === 'odhcpd');
  if (!odhcpd) return 'no odhcpd section: odhcpd is not installed to advertise';
  const off = raOff(config);
  if (enable === !off) return [];
  const out: UciChange[] = [];
  const rows = raRowSections(config);
  if (enable === false) {
    out.push(set(odhcpd.name, RA_DISABLED_OPTION, '1'));
    for (const r of rows) {
      const mode = stringOption(r.options.ra) ?? '';
      if (SERVING.has(mode)) out.push(set(r.name, RA_MODE_OPTION, mode), set(r.name, 'ra', 'disabled'));
    }
    return out;
  }
  out.push(remove(odhcpd.name, RA_DISABLED_OPTION));
  for (const r of rows) {
    const kept = stringOption(r.options[RA_MODE_OPTION]);
    if (kept === undefined) continue;
    out.push(set(r.name, 'ra', SERVING.has(kept) ? kept : 'server'), remove(r.name, RA_MODE_OPTION));
  }
  return out;
}
