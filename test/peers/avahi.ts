/**
 * A real avahi-daemon publishing static DNS-SD services (avahi.service(5) files) in a network
 * namespace: the mDNS responder of the Device.DNS.SD. tests. It runs with its own configuration
 * file (no D-Bus, IPv4 only, one interface) and, in a private mount namespace (`unshare -m`), its
 * own /etc/avahi/services (a temporary directory bound over it) and /run (a tmpfs, for its pid
 * file): the machine's /etc and /run are never written. Needs avahi-daemon, util-linux and root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, untilReady } from './daemon-child.js';

export interface StaticService {
  /** The file's name in the services directory, without ".service". */
  file: string;
  name: string;
  /** "_ipp._tcp" */
  type: string;
  port: number;
  txt: string[];
}

export class AvahiPublisher {
  private readonly dir = mkdtempSync(join(tmpdir(), 'usp-avahi-'));
  private readonly services = join(this.dir, 'services');
  private child: ChildProcess | undefined;
  private output = '';

  /** `exec`: the prefix that runs a command in the namespace; `iface`: the one interface avahi uses; `hostName`: its .local name. */
  constructor(
    private readonly exec: readonly string[],
    private readonly iface: string,
    private readonly hostName: string,
  ) {
    mkdirSync(this.services);
  }

  /** Writes a service file (before start, or followed by reload()). */
  publish(s: StaticService): void {
    const txt = s.txt.map((t) => `    <txt-record>${t}</txt-record>`).join('\n');
    writeFileSync(
      join(this.services, `${s.file}.service`),
      `<?xml version="1.0" standalone='no'?>\n<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n<service-group>\n  <name>${s.name}</name>\n  <service>\n    <type>${s.type}</type>\n    <port>${s.port}</port>\n${txt}\n  </service>\n</service-group>\n`,
    );
  }

  /** Removes a service file (followed by reload(): avahi then withdraws it with a goodbye). */
  withdraw(file: string): void {
    unlinkSync(join(this.services, `${file}.service`));
  }

  /** Starts avahi-daemon in the foreground; resolves once it says its start-up is complete. */
  async start(): Promise<void> {
    const conf = join(this.dir, 'avahi.conf');
    writeFileSync(
      conf,
      `[server]\nhost-name=${this.hostName}\ndomain-name=local\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=${this.iface}\nenable-dbus=no\n[wide-area]\nenable-wide-area=no\n[publish]\npublish-hinfo=no\npublish-workstation=no\n`,
    );
    // Each wrapper execs the next (ip netns exec, unshare without --fork, sh's exec): the child is avahi itself.
    const script = `mount --bind '${this.services}' /etc/avahi/services && mount -t tmpfs tmpfs /run && exec avahi-daemon -f '${conf}' --no-drop-root --no-chroot --no-rlimits`;
    const child = spawn(this.exec[0]!, [...this.exec.slice(1), 'unshare', '-m', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await untilReady(
      child,
      'avahi-daemon',
      (out) => out.includes('Server startup complete'),
      (chunk) => (this.output += chunk),
    );
  }

  /** SIGHUP: avahi reloads its static services, announcing new ones and withdrawing removed ones. */
  reload(): void {
    this.child?.kill('SIGHUP');
  }

  /** SIGTERM (avahi sends goodbyes for everything it published), SIGKILL after 10 s; waits for the exit. */
  async stop(): Promise<void> {
    await stopChild(this.child);
  }

  /** Stops avahi and removes its files. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
