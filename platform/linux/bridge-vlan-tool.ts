/**
 * The kernel's 802.1Q bridge VLAN table through iproute2's `bridge` (`bridge -j vlan show`,
 * `bridge vlan add|del`), for Device.Bridging.Bridge.{i}.VLAN/VLANPort and the ports' PVID
 * (bridge-vlan.ts). One `bridge -j vlan show` answers for every bridge and port of a read; every
 * write forgets it, so the next Get shows what the kernel now holds.
 *
 * What the kernel refuses (`bridge` exits with its reason) becomes the TR-369 error a Controller
 * can act on: an invalid VID (0, 4095) 7012, a device that is no bridge port 7012, a device
 * that is gone 7016.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { CommandError } from '../exec/CommandError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import type { Logger } from '../../datamodel/Logger.js';

/** 802.1Q VIDs a bridge can use: 0 means "no VLAN" (priority tag) and 4095 is reserved. */
export const MIN_VID = 1;
export const MAX_VID = 4094;

/** One VLAN a port (or the bridge device itself, `self`) is a member of. */
export interface VlanMembership {
  vid: number;
  /** Untagged frames received on the port are classified into this VLAN (the port's PVID). */
  pvid: boolean;
  /** Frames of this VLAN leave the port without a tag. */
  untagged: boolean;
}

/** Port device name → its VLAN memberships, ascending by VID. */
export type VlanTable = ReadonlyMap<string, readonly VlanMembership[]>;

/** `bridge -j vlan show` (also `-s`, which names the VID `vid` instead of `vlan`): the memberships per device. */
export function parseBridgeVlanShow(json: string): Map<string, VlanMembership[]> {
  const data: unknown = JSON.parse(json === '' ? '[]' : json);
  if (!Array.isArray(data)) throw new Error('bridge -j vlan show: expected a JSON array');
  const out = new Map<string, VlanMembership[]>();
  for (const dev of data as Array<{ ifname?: unknown; vlans?: unknown }>) {
    if (typeof dev?.ifname !== 'string' || !Array.isArray(dev.vlans)) continue;
    const list: VlanMembership[] = [];
    for (const v of dev.vlans as Array<Record<string, unknown>>) {
      const first = typeof v.vlan === 'number' ? v.vlan : v.vid;
      if (typeof first !== 'number' || !Number.isInteger(first) || first < MIN_VID || first > MAX_VID) continue;
      // A range the tool compressed (`vlanEnd`) shares its flags; the kernel never exceeds 4094.
      const last = typeof v.vlanEnd === 'number' && v.vlanEnd > first && v.vlanEnd <= MAX_VID ? v.vlanEnd : first;
      const flags = Array.isArray(v.flags) ? (v.flags as unknown[]) : [];
      for (let vid = first; vid <= last; vid++) list.push({ vid, pvid: flags.includes('PVID'), untagged: flags.includes('Egress Untagged') });
    }
    out.set(
      dev.ifname,
      list.sort((a, b) => a.vid - b.vid),
    );
  }
  return out;
}

/** The `bridge vlan add` flags of a membership. */
export function membershipFlags(m: Pick<VlanMembership, 'pvid' | 'untagged'>): string[] {
  return [...(m.pvid ? ['pvid'] : []), ...(m.untagged ? ['untagged'] : [])];
}

/** Kernel reasons as `bridge` prints them, to TR-369 codes. */
const REASONS: ReadonlyArray<readonly [RegExp, ErrorCode]> = [
  [/Vlan id is invalid|Invalid argument|out of range/i, ErrorCode.InvalidValue],
  [/Operation not supported/i, ErrorCode.InvalidValue],
  [/Cannot find (bridge )?device|No such device/i, ErrorCode.ObjectDoesNotExist],
  [/Operation not permitted|Permission denied/i, ErrorCode.RequestDenied],
];

/** Reads and changes the kernel's bridge VLAN table with `bridge`. */
export class BridgeVlanTool {
  constructor(
    private readonly runner: CommandRunner,
    private readonly cacheMs: number,
    private readonly log?: Logger,
  ) {}

  /** Every bridge port's (and bridge device's) VLAN memberships, from one `bridge -j vlan show`. */
  show(): Promise<VlanTable> {
    return this.runner.cached('bridge', ['-j', 'vlan', 'show'], this.cacheMs, parseBridgeVlanShow);
  }

  /** `bridge vlan add dev DEV vid VID [pvid] [untagged] [self]`. */
  add(dev: string, vid: number, m: Pick<VlanMembership, 'pvid' | 'untagged'>, self: boolean, path?: string): Promise<void> {
    return this.run(['vlan', 'add', 'dev', dev, 'vid', String(vid), ...membershipFlags(m), ...(self ? ['self'] : [])], path);
  }

  /** `bridge vlan del dev DEV vid VID [self]`. */
  del(dev: string, vid: number, self: boolean, path?: string): Promise<void> {
    return this.run(['vlan', 'del', 'dev', dev, 'vid', String(vid), ...(self ? ['self'] : [])], path);
  }

  private async run(args: readonly string[], path?: string): Promise<void> {
    try {
      await this.runner.run('bridge', args);
      this.log?.info('bridge VLAN configuration changed', { command: ['bridge', ...args].join(' ') });
    } catch (e) {
      const err = bridgeWriteError(e, path);
      this.log?.warn('bridge command failed', { command: ['bridge', ...args].join(' '), code: err.code });
      throw err;
    } finally {
      this.runner.invalidate('bridge ');
    }
  }
}

/** The UspError for a failed `bridge` write: the tool missing or hanging is 7003, else the kernel's reason. */
export function bridgeWriteError(e: unknown, path?: string): UspError {
  if (e instanceof UspError) return e;
  if (!(e instanceof CommandError) || e.failure !== 'exit') {
    return new UspError(ErrorCode.InternalError, `bridge VLAN configuration failed: ${e instanceof Error ? e.message : String(e)}`, { path });
  }
  const said = e.stderr.trim() || e.message;
  const code = REASONS.find(([re]) => re.test(said))?.[1] ?? ErrorCode.RequestDenied;
  return new UspError(code, `${e.commandLine}: ${said.split('\n')[0]}`, { path });
}
