/**
 * What every platform's Device.Ethernet.VLANTermination.{i}. (TR-181 VLANTermination:1) shares:
 * the served parameters, the TPIDs a device can tag with, and the checks of a row before it is
 * kept. A row is a tagged sub-interface over one Ethernet.Link (a tagged WAN over the WAN port's
 * Link is the common case on FWA and broadband uplinks); IP.Interface.LowerLayers may then name it.
 *
 * The checks refuse (7012, naming the parameter) what no device can make: a LowerLayers that is
 * not one existing Ethernet.Link, a TPID other than 802.1Q's or 802.1ad's, a VLAN ID outside
 * 1-4094 (the schema says so too; Linux itself takes 0, so the agent must), and a second row with
 * the same VLAN ID on the same Link (one Link cannot carry one tag as two interfaces). Nothing of
 * a refused change is kept.
 */
import type { Value } from '../datamodel/value/Value.js';
import { type BadParam, invalid, type Row } from './stored-table.js';

export const VLAN_TERMINATION = 'Device.Ethernet.VLANTermination.{i}.';
export const VLAN_TERMINATION_STATS = `${VLAN_TERMINATION}Stats.`;

/** Served parameters. VLANPriority is not: no platform here maps it to egress priorities yet. */
export const VLAN_TERMINATION_PARAMS = ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'VLANID', 'TPID'] as const;
/** Read from the device (or the simulation), never stored. */
export const VLAN_TERMINATION_LIVE: ReadonlySet<string> = new Set(['Status', 'Name', 'LastChange']);
/** What a Set can change (ObjectBinding.writable): every served writable parameter. */
export const VLAN_TERMINATION_WRITABLE = ['Enable', 'Alias', 'LowerLayers', 'VLANID', 'TPID'] as const;

/** 802.1Q's tag protocol identifier (TR-181's default TPID). */
export const TPID_8021Q = 0x8100;
/** 802.1ad's (a service tag, "QinQ"). */
export const TPID_8021AD = 0x88a8;
const VLAN_ID = { min: 1, max: 4094 } as const;

/**
 * Values of a new row before the Add's own: disabled, on no Link, VLAN 1 (TR-181 gives VLANID no
 * default; 1 reads as a valid ID until the Controller sets its own, which it must before the
 * row can stack on a Link that has a VLAN 1 already).
 */
export const VLAN_TERMINATION_DEFAULTS: Readonly<Record<string, Value>> = { Enable: false, LowerLayers: '', VLANID: 1, TPID: TPID_8021Q };

/** Rows a device keeps at most (7005 beyond). */
export const MAX_VLAN_TERMINATIONS = 16;

const LINK_REF = /^Device\.Ethernet\.Link\.(\d+)$/;

/** The Ethernet.Link instance a (canonical) LowerLayers names, or undefined for "" or anything else. */
export function linkOf(lowerLayers: Value | undefined): number | undefined {
  const m = LINK_REF.exec(String(lowerLayers ?? ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * Name of row `n` while it names no Link (and so no device): Name is a unique key, so each such
 * row has its own; it cannot meet a device's `<dev>.<VLANID>`, which has a dot.
 */
export function unstackedName(n: number): string {
  return `vlanterm${n}`;
}

/** The 802.1 protocol name `ip` and netifd use for a TPID. */
export function protocolOf(tpid: Value | undefined): '802.1Q' | '802.1ad' {
  return Number(tpid) === TPID_8021AD ? '802.1ad' : '802.1Q';
}

/**
 * Checks the row `merged` (the stored row with `changes` applied; references canonical) of
 * instance `n` (0: being added) against the other rows; throws 7012 naming each parameter at
 * fault. `linkExists` says whether an Ethernet.Link instance exists now.
 */
export async function checkVlanTermination(
  n: number,
  merged: Record<string, Value>,
  changes: Readonly<Record<string, Value>>,
  others: Iterable<[number, Row]>,
  linkExists: (link: number) => boolean | Promise<boolean>,
): Promise<void> {
  const bad: BadParam[] = [];
  const ll = String(merged.LowerLayers ?? '');
  if (changes.LowerLayers !== undefined && ll !== '') {
    const link = linkOf(ll);
    if (link === undefined) bad.push({ param: 'LowerLayers', message: 'a VLAN termination stacks on one Device.Ethernet.Link.{i}' });
    else if (!(await linkExists(link))) bad.push({ param: 'LowerLayers', message: `${ll} does not exist` });
  }
  const tpid = Number(merged.TPID);
  if (changes.TPID !== undefined && tpid !== TPID_8021Q && tpid !== TPID_8021AD) {
    bad.push({ param: 'TPID', message: `must be ${TPID_8021Q} (0x8100, 802.1Q) or ${TPID_8021AD} (0x88a8, 802.1ad)` });
  }
  const vid = Number(merged.VLANID);
  if (changes.VLANID !== undefined && !(Number.isInteger(vid) && vid >= VLAN_ID.min && vid <= VLAN_ID.max)) {
    bad.push({ param: 'VLANID', message: `must be ${VLAN_ID.min} to ${VLAN_ID.max}` });
  } else if (ll !== '' && (changes.VLANID !== undefined || changes.LowerLayers !== undefined)) {
    for (const [k, row] of others) {
      if (k !== n && row.LowerLayers === ll && Number(row.VLANID) === vid) {
        bad.push({ param: 'VLANID', message: `VLAN ${vid} on ${ll} is Device.Ethernet.VLANTermination.${k} already` });
        break;
      }
    }
  }
  if (bad.length > 0) throw invalid(bad);
}
