/**
 * The BIRD 2 configuration the agent owns on generic Linux for Device.Routing.RIP. (Routing:1):
 * made from RIP.Enable and the rows of RIP.InterfaceSetting.{i}. Pure: no file, no process
 * (rip.ts writes it and bird-process.ts runs bird on it).
 *
 * | TR-181 | bird.conf |
 * |---|---|
 * | RIP.Enable false, or no enabled row with a device | no file: bird does not run |
 * | InterfaceSetting Enable + Interface | `interface "DEV" { version 2; version only on; ... }` in `protocol rip`, and DEV's connected networks (`protocol direct`) announced |
 * | AcceptRA | DEV in the RIP import filter (`ifname = "DEV"`): routes heard there reach bird's table, and from it the kernel |
 * | SendRA false | `passive on`: bird sends no updates there (it still answers nothing and learns what it hears) |
 *
 * RIP version: TR-181 says InterfaceSetting applies to RIP2 only, so every interface speaks
 * version 2 and ignores version 1 packets. Learnt routes reach the kernel's main table through
 * `protocol kernel` exporting RIP routes only; it imports nothing (`learn off`): the kernel's own
 * routes are the agent's IPv4Forwarding rows already, and bird never announces them. What the
 * agent announces is the connected networks of its RIP interfaces and the routes it learnt.
 */
import type { Value } from '../../datamodel/value/Value.js';

type Row = Readonly<Record<string, Value>>;

/** One enabled row as the file sees it. */
export interface RipInterface {
  /** The row's path, for the comment above its block. */
  path: string;
  device: string;
  values: Row;
}

/** A Linux interface name bird can be given in quotes (IFNAMSIZ 16, no quote, backslash, space or slash). */
export function isBirdDevice(name: string): boolean {
  return /^[A-Za-z0-9_.:@-]{1,15}$/.test(name);
}

/** Names of the protocols in the file (`birdc show protocols` prints them). */
export const BIRD_RIP = 'usp_rip';
export const BIRD_KERNEL = 'usp_kernel';
export const BIRD_DIRECT = 'usp_direct';

/** Timers of the RIP interfaces; RFC 2453's defaults unless a test shortens them. */
export interface RipTimers {
  updateS?: number;
  timeoutS?: number;
}

/** The file's text, or undefined when nothing runs RIP (bird then does not run). */
export function birdRipConfText(enabled: boolean, interfaces: readonly RipInterface[], timers: RipTimers = {}): string | undefined {
  const rows = enabled ? interfaces.filter((i) => isBirdDevice(i.device)) : [];
  if (rows.length === 0) return undefined;
  const quoted = (d: string): string => `"${d}"`;
  const accepting = rows.filter((r) => r.values.AcceptRA !== false).map((r) => `ifname = ${quoted(r.device)}`);
  const out = [
    '# Written by usp-agent from Device.Routing.RIP.; replaced at every change: edit the data model, not this file.',
    'log stderr all;',
    // RIP has no use for a router id, but bird will not start without one: a fixed one starts it on a host with no IPv4 address yet.
    'router id 0.0.0.1;',
    'protocol device { scan time 10; }',
    `protocol direct ${BIRD_DIRECT} {`,
    '  ipv4;',
    `  interface ${rows.map((r) => quoted(r.device)).join(', ')};`,
    '}',
    `protocol kernel ${BIRD_KERNEL} {`,
    '  learn off;',
    '  ipv4 { import none; export where source = RTS_RIP; };',
    '}',
    `protocol rip ${BIRD_RIP} {`,
    // Routes heard on an interface whose AcceptRA is false are dropped here, before bird's table.
    `  ipv4 { import ${accepting.length > 0 ? `where ${accepting.join(' || ')}` : 'none'}; export where source = RTS_DEVICE || source = RTS_RIP; };`,
  ];
  for (const { path, device, values } of rows) {
    out.push(`  # ${path}`, `  interface ${quoted(device)} {`, '    version 2;', '    version only on;', `    passive ${values.SendRA === false ? 'on' : 'off'};`);
    if (timers.updateS !== undefined) out.push(`    update time ${Math.trunc(timers.updateS)};`);
    if (timers.timeoutS !== undefined) out.push(`    timeout time ${Math.trunc(timers.timeoutS)};`);
    out.push('  };');
  }
  out.push('}', '');
  return out.join('\n');
}
