/**
 * IPv4 addresses a controller switched off (IP.Interface.{i}.IPv4Address.{i}.Enable false): the
 * kernel holds an address only while it is configured, so Enable false removes it from the
 * interface (`ip -4 addr del`) and the agent keeps the row here, address and prefix length, until
 * Enable true adds it again or the row is deleted. Like every other write of the Linux platform
 * this is running configuration: an agent restart (or a reboot) forgets a parked row.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/** Parked rows kept at most, over every interface: a controller cannot grow the agent without bound. */
export const MAX_PARKED_ADDRESSES = 256;

export class ParkedAddresses {
  /** ifname → address → prefix length. */
  private readonly byInterface = new Map<string, Map<string, number>>();
  private count = 0;

  /** The prefix length of a parked `local` on `ifname`, or undefined. */
  prefixOf(ifname: string, local: string): number | undefined {
    return this.byInterface.get(ifname)?.get(local);
  }

  /** The parked addresses of `ifname`, in the order they were parked. */
  locals(ifname: string): string[] {
    return [...(this.byInterface.get(ifname)?.keys() ?? [])];
  }

  /** Keeps `local/prefixlen` as a switched-off row of `ifname`; 7005 past the bound. */
  park(ifname: string, local: string, prefixlen: number, path: string): void {
    let m = this.byInterface.get(ifname);
    if (!m?.has(local) && this.count >= MAX_PARKED_ADDRESSES) {
      throw new UspError(ErrorCode.ResourcesExceeded, `${path}Enable: at most ${MAX_PARKED_ADDRESSES} switched-off addresses are kept; Delete some`, { path });
    }
    if (!m) this.byInterface.set(ifname, (m = new Map<string, number>()));
    if (!m.has(local)) this.count++;
    m.set(local, prefixlen);
  }

  /** Forgets a parked row (enabled again, deleted, or its interface gone). */
  unpark(ifname: string, local: string): void {
    const m = this.byInterface.get(ifname);
    if (!m?.delete(local)) return;
    this.count--;
    if (m.size === 0) this.byInterface.delete(ifname);
  }
}
