/**
 * KeepAlivePolicy ICMP of Device.VXLAN.Tunnel.{i}. on Linux: one ICMP echo (the system `ping`,
 * as the IPPing diagnostic runs it) to the Tunnel's connected endpoint every KeepAliveTimeout
 * seconds, each waiting that long for its reply. KeepAliveThreshold echoes in a row without a
 * reply and the endpoint is perceived failed: the next address of RemoteEndpoints is tried (in
 * turn, TR-181), and the Tunnel's devices are made again toward it. With one address, or until
 * a reply comes, the Tunnel reads Status Error. Stats.KeepAliveSent/KeepAliveReceived count the
 * echoes and replies since the Tunnel's keepalive began.
 *
 * One timer per Tunnel with ICMP, unref'd, one echo in flight at most; none for policy None.
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import type { DiagnosticTool } from '../diagnostics/diagnostic-tools.js';
import { pingArgs } from '../diagnostics/ping-command.js';
import { endpointsOf } from '../vxlan-rules.js';

/** A Tunnel's keepalive: where it is, and what it counted. */
interface KeepAliveState {
  /** The RemoteEndpoints it runs over; another list starts again at its first address. */
  endpoints: string;
  /** The address in use, an index into the list. */
  index: number;
  misses: number;
  failed: boolean;
  sent: number;
  received: number;
  timer?: ReturnType<typeof setInterval>;
  periodMs: number;
  inFlight: boolean;
}

/** What one echo needs of the Tunnel now (undefined: the Tunnel carries nothing, no echo). */
export interface EchoTarget {
  timeoutMs: number;
  threshold: number;
  dscp: number;
  device?: string;
}

/** The echo settings of an enabled Tunnel row (its KeepAlive parameters, TR-181's defaults where unset); undefined for a row that is gone or disabled. */
export function echoTargetOf(row: Readonly<Record<string, Value>> | undefined): EchoTarget | undefined {
  if (!row || row.Enable !== true) return undefined;
  return { timeoutMs: Number(row.KeepAliveTimeout ?? 10) * 1000, threshold: Number(row.KeepAliveThreshold ?? 3), dscp: Number(row.DefaultDSCPMark ?? 0) };
}

export class VxlanKeepAlive {
  private readonly tunnels = new Map<number, KeepAliveState>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly ping: DiagnosticTool | undefined,
    /** The Tunnel's echo settings now, read when the timer fires. */
    private readonly target: (t: number) => Promise<EchoTarget | undefined>,
    /** Called when a Tunnel moves to another endpoint: its devices are made again. */
    private readonly moved: () => Promise<void>,
  ) {}

  /** Whether ICMP keepalive can run here (a `ping` was found). */
  get usable(): boolean {
    return this.ping !== undefined;
  }

  /** The address a Tunnel's devices use: the one its keepalive is at, else the first. */
  endpoint(t: number, row: Readonly<Record<string, Value>>): string | undefined {
    const list = endpointsOf(row.RemoteEndpoints);
    const s = this.tunnels.get(t);
    return s && s.endpoints === String(row.RemoteEndpoints ?? '') ? list[s.index % list.length] : list[0];
  }

  failed(t: number): boolean {
    return this.tunnels.get(t)?.failed === true;
  }

  counts(t: number): { sent: number; received: number } {
    const s = this.tunnels.get(t);
    return { sent: s?.sent ?? 0, received: s?.received ?? 0 };
  }

  /** Starts, restarts or stops each Tunnel's timer to match the rows (after every change). */
  sync(rows: ReadonlyArray<readonly [number, Readonly<Record<string, Value>>]>): void {
    const keep = new Set<number>();
    for (const [t, row] of rows) {
      if (row.Enable !== true || row.KeepAlivePolicy !== 'ICMP' || endpointsOf(row.RemoteEndpoints).length === 0 || !this.ping) continue;
      keep.add(t);
      const endpoints = String(row.RemoteEndpoints);
      const periodMs = Math.max(1, Number(row.KeepAliveTimeout ?? 10)) * 1000;
      let s = this.tunnels.get(t);
      if (s && s.endpoints !== endpoints) {
        this.stopOne(t);
        s = undefined;
      }
      if (!s) {
        s = { endpoints, index: 0, misses: 0, failed: false, sent: 0, received: 0, periodMs: 0, inFlight: false };
        this.tunnels.set(t, s);
      }
      if (s.periodMs !== periodMs) {
        if (s.timer) clearInterval(s.timer);
        s.periodMs = periodMs;
        const state = s;
        s.timer = setInterval(() => void this.echo(t, state), periodMs);
        s.timer.unref();
      }
    }
    for (const t of [...this.tunnels.keys()]) if (!keep.has(t)) this.stopOne(t);
  }

  private stopOne(t: number): void {
    const s = this.tunnels.get(t);
    if (s?.timer) clearInterval(s.timer);
    this.tunnels.delete(t);
  }

  stop(): void {
    for (const t of [...this.tunnels.keys()]) this.stopOne(t);
  }

  private async echo(t: number, s: KeepAliveState): Promise<void> {
    if (s.inFlight || !this.ping || this.tunnels.get(t) !== s) return;
    s.inFlight = true;
    try {
      const target = await this.target(t);
      const list = endpointsOf(s.endpoints);
      const host = list[s.index % list.length];
      if (!target || host === undefined) return;
      s.sent++;
      const family = isIP(host) === 6 ? 'IPv6' : 'IPv4';
      const ok = await this.runner
        .run(this.ping.cmd, pingArgs(this.ping, { host, count: 1, timeoutMs: target.timeoutMs, dataBlockSize: 56, dscp: target.dscp, device: target.device, family }), {
          timeoutMs: target.timeoutMs + 5_000,
        })
        .then(
          () => true,
          () => false,
        );
      if (this.tunnels.get(t) !== s) return;
      if (ok) {
        s.received++;
        s.misses = 0;
        s.failed = false;
        return;
      }
      if (++s.misses < target.threshold) return;
      s.misses = 0;
      if (list.length > 1) {
        s.index = (s.index + 1) % list.length;
        s.failed = false;
        await this.moved().catch(() => undefined);
      } else {
        s.failed = true;
      }
    } finally {
      s.inFlight = false;
    }
  }
}
