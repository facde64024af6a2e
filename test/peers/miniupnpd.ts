/**
 * A real miniupnpd (Debian package miniupnpd) in a network namespace: the UPnP IGD the
 * Device.UPnP.Discovery. tests discover. It runs in the foreground (-d) with its own
 * configuration and pid file in a temporary directory (the machine's /etc and /run are never
 * written), IGD v2 with a fixed UUID, on one interface, its port mappings denied; its firewall
 * rules go to the namespace's own nftables. It answers M-SEARCH, announces itself with NOTIFY
 * ssdp:alive, and sends ssdp:byebye for every USN when stopped with SIGTERM. Needs root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, untilReady } from './daemon-child.js';

export class MiniUPnPd {
  private readonly dir = mkdtempSync(join(tmpdir(), 'usp-miniupnpd-'));
  private child: ChildProcess | undefined;
  private output = '';

  /** `exec`: the prefix that runs a command in the namespace; `iface`: its LAN (and WAN) interface; `uuid`: the root device's UUID. */
  constructor(
    private readonly exec: readonly string[],
    private readonly iface: string,
    readonly uuid: string,
  ) {}

  /** Starts miniupnpd; resolves once it listens for HTTP (its SSDP socket is open by then). */
  async start(): Promise<void> {
    const conf = join(this.dir, 'miniupnpd.conf');
    writeFileSync(
      conf,
      [
        `ext_ifname=${this.iface}`,
        `listening_ip=${this.iface}`,
        'port=0',
        'enable_natpmp=no',
        'enable_upnp=yes',
        'secure_mode=yes',
        'system_uptime=yes',
        'notify_interval=30',
        `uuid=${this.uuid}`,
        'deny 0-65535 0.0.0.0/0 0-65535',
        '',
      ].join('\n'),
    );
    const child = spawn(this.exec[0]!, [...this.exec.slice(1), 'miniupnpd', '-d', '-f', conf, '-P', join(this.dir, 'miniupnpd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await untilReady(
      child,
      'miniupnpd',
      (out) => /HTTP listening on port \d+/.test(out),
      (chunk) => (this.output += chunk),
    );
  }

  /** The HTTP port of its device description (LOCATION). */
  get httpPort(): number {
    return Number(/HTTP listening on port (\d+)/.exec(this.output)?.[1] ?? 0);
  }

  /** SIGTERM (miniupnpd sends ssdp:byebye for each USN), SIGKILL after 10 s; waits for the exit. */
  async stop(): Promise<void> {
    await stopChild(this.child);
  }

  /** Stops miniupnpd and removes its files. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
