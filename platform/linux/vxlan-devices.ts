/**
 * The kernel VXLAN devices behind Device.VXLAN.Tunnel.{i}.Interface.{i}. on Linux: what a row
 * wants (`ip link add NAME type vxlan id VNI remote|group ADDR dstport PORT [srcport P P] [tos T]
 * [local SRC dev LOWER]`), what `ip -j -d link show type vxlan` lists, and the commands that make
 * the one the other.
 *
 * A device is named `vxlan-usp<Tunnel>-<Interface>`, so the agent only ever deletes devices it
 * named: another VXLAN device of the host is never touched. Most VXLAN settings cannot be
 * changed on a live device, so a device that differs from its row is deleted and made again.
 */
import { isIP } from 'node:net';
import { formatIPv6, parseIPv6 } from './ipv6-text.js';

/** Names the agent gives its VXLAN devices (and the only ones it deletes). */
export const VXLAN_DEVICE_RE = /^vxlan-usp(\d+)-(\d+)$/;

/** The device name of Tunnel `tunnel`'s Interface `iface`. */
export function vxlanDeviceName(tunnel: number, iface: number): string {
  return `vxlan-usp${tunnel}-${iface}`;
}

/** A VXLAN device as a row wants it, or as `ip` lists it. */
export interface VxlanDevice {
  name: string;
  id: number;
  /** The remote endpoint (unicast) or the multicast group. */
  remote: string;
  port: number;
  /** 0: the kernel picks per flow. */
  srcport: number;
  /** The delivery header's TOS byte (DSCP << 2). */
  tos: number;
  /** The underlay device and its address, when LowerLayers names one. */
  dev?: string;
  local?: string;
  up: boolean;
}

/** What `ip -j -d link show type vxlan` prints of each device (the fields read here). */
interface IpVxlanLink {
  ifname?: string;
  flags?: string[];
  linkinfo?: {
    info_kind?: string;
    // An IPv6 device's addresses are printed as remote6, group6 and local6.
    info_data?: {
      id?: number;
      remote?: string;
      group?: string;
      local?: string;
      remote6?: string;
      group6?: string;
      local6?: string;
      link?: string;
      port?: number;
      port_range?: { low?: number; high?: number };
      tos?: string;
    };
  };
}

/** Parses `ip -j -d link show type vxlan`: the agent's devices only. */
export function parseVxlanLinks(stdout: string): VxlanDevice[] {
  const out: VxlanDevice[] = [];
  for (const l of JSON.parse(stdout.trim() === '' ? '[]' : stdout) as IpVxlanLink[]) {
    const d = l.linkinfo?.info_data;
    if (!l.ifname || !VXLAN_DEVICE_RE.test(l.ifname) || l.linkinfo?.info_kind !== 'vxlan' || !d) continue;
    const low = d.port_range?.low ?? 0;
    out.push({
      name: l.ifname,
      id: Number(d.id),
      remote: d.remote ?? d.group ?? d.remote6 ?? d.group6 ?? '',
      port: Number(d.port ?? 0),
      srcport: low !== 0 && low === d.port_range?.high ? low : 0,
      // "inherit" copies the inner TOS; absent is 0.
      tos: d.tos === undefined || d.tos === 'inherit' ? 0 : parseInt(d.tos, 16),
      ...(d.link ? { dev: d.link } : {}),
      ...((d.local ?? d.local6) ? { local: d.local ?? d.local6 } : {}),
      up: l.flags?.includes('UP') === true,
    });
  }
  return out;
}

/** Whether `addr` is a multicast address (a group: `group ADDR`, which needs a device). */
export function isMulticast(addr: string): boolean {
  if (isIP(addr) === 4) {
    const first = Number(addr.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return /^ff/i.test(addr);
}

/** An address as `ip` prints it: IPv6 in RFC 5952 form (a Controller may write 2001:DB8:0::2). */
function canonical(addr: string | undefined): string {
  const groups = addr === undefined ? undefined : parseIPv6(addr);
  return groups ? formatIPv6(groups) : (addr ?? '');
}

/** Whether device `have` already is what `want` asks for (only its up/down state may differ). */
export function sameDevice(have: VxlanDevice, want: VxlanDevice): boolean {
  return (
    have.id === want.id &&
    canonical(have.remote) === canonical(want.remote) &&
    have.port === want.port &&
    have.srcport === want.srcport &&
    have.tos === want.tos &&
    (have.dev ?? '') === (want.dev ?? '') &&
    canonical(have.local) === canonical(want.local)
  );
}

/** The argv of `ip` that makes `want` (down: it is set up afterwards). */
export function addArgs(want: VxlanDevice): string[] {
  const args = ['link', 'add', want.name, 'type', 'vxlan', 'id', String(want.id)];
  args.push(isMulticast(want.remote) ? 'group' : 'remote', want.remote, 'dstport', String(want.port));
  if (want.srcport !== 0) args.push('srcport', String(want.srcport), String(want.srcport));
  if (want.tos !== 0) args.push('tos', `0x${want.tos.toString(16)}`);
  if (want.local !== undefined) args.push('local', want.local);
  if (want.dev !== undefined) args.push('dev', want.dev);
  return args;
}
