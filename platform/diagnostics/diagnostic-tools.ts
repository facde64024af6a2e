/**
 * Which `ping` and `traceroute` this system has, and in which flavour: iputils ping and the
 * Linux "modern traceroute" (Debian, OpenWrt's iputils-ping/traceroute packages) or BusyBox's
 * applets (OpenWrt's default). Their options differ; the diagnostics build their command lines
 * for the flavour found. Decided once at start-up from PATH, so Device.IP.Diagnostics.
 * IPv4PingSupported and friends say what is really there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../exec/CommandRunner.js';

export type ToolFlavour = 'full' | 'busybox';

/** How to start one tool: `cmd ...prefix ...args`. */
export interface DiagnosticTool {
  cmd: string;
  /** Arguments before the tool's own (`busybox ping ...` → ['ping']). */
  prefix: readonly string[];
  flavour: ToolFlavour;
}

export interface DiagnosticTools {
  ping?: DiagnosticTool;
  traceroute?: DiagnosticTool;
  /** Whether the kernel has IPv6 at all (IPv6PingSupported needs both). */
  ipv6: boolean;
}

export interface DetectOptions {
  /** PATH to look in (default the process'). */
  pathVar?: string;
  /** Use BusyBox's applets even when the full tools are installed (tests, or a vendor's choice). */
  prefer?: ToolFlavour;
}

/** Looks up `ping`, `traceroute` and `busybox` on PATH. */
export function detectDiagnosticTools(opts: DetectOptions = {}): DiagnosticTools {
  const busybox = findOnPath('busybox', opts.pathVar);
  const find = (name: string): DiagnosticTool | undefined => {
    if (opts.prefer === 'busybox' && busybox) return { cmd: busybox, prefix: [name], flavour: 'busybox' };
    const file = findOnPath(name, opts.pathVar);
    if (file) return { cmd: file, prefix: [], flavour: isBusyBox(file) ? 'busybox' : 'full' };
    return busybox ? { cmd: busybox, prefix: [name], flavour: 'busybox' } : undefined;
  };
  return { ping: find('ping'), traceroute: find('traceroute'), ipv6: fs.existsSync('/proc/net/if_inet6') };
}

/** An applet is a link to the busybox binary (OpenWrt: /bin/ping → busybox). */
function isBusyBox(file: string): boolean {
  try {
    return path.basename(fs.realpathSync(file)) === 'busybox';
  } catch {
    return false;
  }
}
