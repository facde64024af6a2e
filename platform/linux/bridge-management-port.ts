/**
 * Device.Bridging.Bridge.{i}.Port.{i}.ManagementPort on Linux (TR-181 Bridge:1): which Port row
 * stands for the bridge device itself (the management, upward-facing port, 802.1Q-2005 clause 8)
 * and which for a device enslaved to it.
 *
 * A bridge found on the host shows its own device as its management port. A Controller may
 * change a row's role, and the kernel follows:
 *
 * - true on a member row, while the bridge has no management row: the member's device leaves the
 *   bridge (`ip link set dev IF nomaster`) and the row stands for the bridge device from then on.
 *   While the bridge shows its management row, this is refused (7012): one per bridge.
 * - false on the management row, with LowerLayers naming the Ethernet interface to enslave in the
 *   same Set: that device joins the bridge (`master BR`) and the row stands for it; the bridge then
 *   shows no management row (its device still bridges, as every Linux bridge device does). Refused
 *   (7012) without such a LowerLayers, and on a bridge that filters VLANs (the bridge device is a
 *   VLAN member of its own, `self`, named through that row).
 * - An Add with ManagementPort true names the bridge device, when the bridge shows no management
 *   row; otherwise 7012.
 *
 * Other parameters in a Set that changes the role are refused (7012): the row changes device
 * first. Which bridges show no management row is kept in memory: after a restart, every bridge
 * shows its management row again.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';

/** What a role change needs to know of the row and its bridge. */
export interface PortRole {
  bridge: string;
  /** The device the row stands for now (the bridge itself for the management row). */
  dev: string;
  management: boolean;
  /** The bridge's member devices now. */
  members: readonly string[];
  /** Whether the bridge filters VLANs (vlan_filtering). */
  filtering: boolean;
}

/** A 7012 with one parameter error, as a Set or Add refusing one value answers it. */
function refuse(path: string, param: string, message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `${path}${param}: ${message}`, { path, paramErrors: [{ param, code: ErrorCode.InvalidValue, message }] });
}

/** The management rows of the host's bridges: which bridge devices a Port row stands for. */
export class LinuxManagementPorts {
  /** Bridges whose own device has no Port row: a Controller made that row a member. */
  private readonly without = new Set<string>();

  constructor(
    private readonly ctx: LinuxContext,
    private readonly portsOf: (bridge: string) => InstanceMap,
  ) {}

  /** Whether the bridge device of `bridge` has its Port row (the management port). */
  shown(bridge: string): boolean {
    return !this.without.has(bridge);
  }

  /** A bridge created: it starts with its management row. */
  forget(bridge: string): void {
    this.without.delete(bridge);
  }

  /** An Add with ManagementPort true: the bridge device's row again, when the bridge has none. */
  add(bridge: string, params: Record<string, Value>, path: string): number {
    if (this.shown(bridge)) {
      throw refuse(path, 'ManagementPort', `the bridge has its management port already (Port.${this.portsOf(bridge).numberOf(bridge)}, the bridge device itself): one per bridge`);
    }
    if (typeof params.LowerLayers === 'string' && params.LowerLayers !== '') {
      throw refuse(path, 'LowerLayers', "a management port stacks on the bridge's other ports: leave LowerLayers out");
    }
    const numbers = this.portsOf(bridge);
    numbers.retire(bridge); // a new row, not the one a Controller turned into a member before
    this.without.delete(bridge);
    return numbers.numberOf(bridge);
  }

  /**
   * A Set giving ManagementPort a new value: the row takes the other role (module comment).
   * `deviceOf` resolves a LowerLayers value to the device it names (7012 otherwise), `refOf` names
   * a member device's Port row. A row that becomes the management port gets the LowerLayers it now
   * has in `changes` (a value given is its old one, from a rollback: derived, not written), so a
   * rollback hands its old LowerLayers back.
   */
  async change(role: PortRole, changes: Record<string, Value>, path: string, deviceOf: (ref: Value | undefined, path: string) => Promise<string>, refOf: (dev: string) => string): Promise<void> {
    const alongside = Object.keys(changes).filter((k) => k !== 'ManagementPort' && k !== 'LowerLayers');
    if (alongside.length > 0) {
      throw new UspError(ErrorCode.InvalidValue, `${path}: set ${alongside.join(', ')} apart from ManagementPort (the port changes device first)`, {
        path,
        paramErrors: alongside.map((param) => ({ param, code: ErrorCode.InvalidValue, message: 'set it apart from ManagementPort' })),
      });
    }
    const { bridge, dev } = role;
    const numbers = this.portsOf(bridge);
    if (!role.management) {
      if (this.shown(bridge)) {
        throw refuse(path, 'ManagementPort', `the bridge has its management port already (Port.${numbers.numberOf(bridge)}, the bridge device itself): one per bridge`);
      }
      this.ctx.ip.requireManaged(dev, path);
      await this.ctx.ip.run(['link', 'set', 'dev', dev, 'nomaster'], path);
      numbers.retire(bridge);
      numbers.rekey([[dev, bridge]]);
      this.without.delete(bridge);
      changes.LowerLayers = role.members
        .filter((m) => m !== dev)
        .map(refOf)
        .join(',');
      return;
    }
    if (role.filtering) {
      throw refuse(path, 'ManagementPort', 'the bridge filters VLANs: its own device is a VLAN member (self) through this row, so it stays the management port');
    }
    if (changes.LowerLayers === undefined || changes.LowerLayers === '') {
      throw refuse(path, 'ManagementPort', 'a port that is no management port enslaves a device: give its LowerLayers (an Ethernet.Interface) in the same Set');
    }
    const to = await deviceOf(changes.LowerLayers, path);
    if (to === bridge || role.members.includes(to)) throw refuse(path, 'LowerLayers', `${to} is in the bridge already`);
    this.ctx.ip.requireManaged(bridge, path);
    this.ctx.ip.requireManaged(to, path);
    await this.ctx.ip.run(['link', 'set', 'dev', to, 'master', bridge], path);
    numbers.retire(to);
    numbers.rekey([[bridge, to]]);
    this.without.add(bridge);
  }
}
