/**
 * Device.IP.Diagnostics.UDPEchoConfig. (TR-181 2.19, TR-143 §5): stored configuration that runs
 * the UDP echo server (udp-echo-server.ts) while Enable is true, with live counters. Enabling it
 * from disabled clears the counters and timestamps (TR-181). With Interface empty the server
 * listens on loopback only, not on every interface as TR-181 words it: an echo server open on
 * the WAN by default is a reflector; name the interface to serve it there.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { isIP } from 'node:net';
import { listenAddresses } from '../transports/listen-addresses.js';
import { isoMicros } from './micro-clock.js';
import { emptyCounters, UdpEchoServer } from './udp-echo-server.js';

export const UDP_ECHO_CONFIG_PATH = 'Device.IP.Diagnostics.UDPEchoConfig.';
const LOOPBACK = ['127.0.0.1'];
const INTERFACE_REF = /^Device\.IP\.Interface\.\d+\.?$/;

export interface UdpEchoConfigOptions {
  log: Logger;
  maxRepliesPerSecond: number;
}

/** Counters and timestamps the server keeps, read live (the rest of the object is stored). */
const LIVE_PARAMS = ['EchoPlusSupported', 'PacketsReceived', 'PacketsResponded', 'BytesReceived', 'BytesResponded', 'TimeFirstPacketReceived', 'TimeLastPacketReceived'] as const;

/** Registers UDPEchoConfig. and returns what starts its server once the stored configuration is loaded and stops it with the agent. */
export function registerUdpEchoConfig(model: DataModel, store: DataStore, opts: UdpEchoConfigOptions): { start(): Promise<void>; stop(): void } {
  const config = new UdpEchoConfig(model, store, opts);
  registerStored(model, store, UDP_ECHO_CONFIG_PATH, config);
  return config;
}

/**
 * One gateway's UDP echo server and its stored options: a class, so its methods (validate,
 * onChange, the live counters) live once on the prototype for every gateway of a fleet.
 */
class UdpEchoConfig implements StoredOptions {
  readonly liveParams: readonly string[] = LIVE_PARAMS;
  private counters = emptyCounters();
  private server: UdpEchoServer | undefined;
  private enabled = false;
  private stopped = false;
  /** Reconfigurations run one after another, so two Sets never race for the port. */
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly opts: UdpEchoConfigOptions,
  ) {}

  private row(): Record<string, Value> {
    return this.store.row(UDP_ECHO_CONFIG_PATH) ?? {};
  }

  liveValue(name: string): Value {
    const c = this.counters;
    switch (name as (typeof LIVE_PARAMS)[number]) {
      case 'EchoPlusSupported':
        return true;
      case 'PacketsReceived':
        return c.packetsReceived;
      case 'PacketsResponded':
        return c.packetsResponded;
      case 'BytesReceived':
        return c.bytesReceived;
      case 'BytesResponded':
        return c.bytesResponded;
      case 'TimeFirstPacketReceived':
        return time(c.firstReceived);
      case 'TimeLastPacketReceived':
        return time(c.lastReceived);
    }
  }

  validate(_keys: InstanceKeys, changes: Record<string, Value>): void {
    const next = { ...this.row(), ...changes };
    const ref = String(next.Interface ?? '');
    if ('Interface' in changes && ref !== '' && !INTERFACE_REF.test(ref))
      throw new UspError(ErrorCode.InvalidValue, `${UDP_ECHO_CONFIG_PATH}Interface must be a Device.IP.Interface.{i} reference or empty`);
    const source = String(next.SourceIPAddress ?? '');
    if ('SourceIPAddress' in changes && source !== '' && isIP(source) === 0) throw new UspError(ErrorCode.InvalidValue, `${UDP_ECHO_CONFIG_PATH}SourceIPAddress must be an IP address or empty`);
    const port = Number(next.UDPPort ?? 0);
    if (next.Enable === true && (port < 1 || port > 65535)) throw new UspError(ErrorCode.InvalidValue, `${UDP_ECHO_CONFIG_PATH}UDPPort must be 1-65535 while Enable is true`);
  }

  onChange(): void {
    void this.reapply();
  }

  start(): Promise<void> {
    return this.reapply();
  }

  stop(): void {
    this.stopped = true;
    this.server?.stop();
    this.server = undefined;
  }

  private reapply(): Promise<void> {
    return (this.applying = this.applying.then(() => this.apply()));
  }

  private async apply(): Promise<void> {
    this.server?.stop();
    this.server = undefined;
    const r = this.row();
    const enable = r.Enable === true && !this.stopped;
    if (enable && !this.enabled) this.counters = emptyCounters();
    this.enabled = enable;
    if (!enable) return;
    const port = Number(r.UDPPort ?? 0);
    const ref = String(r.Interface ?? '');
    try {
      const addresses = ref === '' ? LOOPBACK : ((await listenAddresses(this.model, ref, `${UDP_ECHO_CONFIG_PATH}Interface`)) ?? LOOPBACK);
      if (addresses.length === 0) throw new Error(`${ref} has no IP address to listen on`);
      const s = new UdpEchoServer(
        { addresses: addresses.slice(0, 8), port, sourceIPAddress: String(r.SourceIPAddress ?? ''), echoPlus: r.EchoPlusEnabled === true, maxRepliesPerSecond: this.opts.maxRepliesPerSecond },
        this.counters,
      );
      await s.start();
      if (this.stopped) {
        s.stop();
        return;
      }
      this.server = s;
      this.opts.log.info('UDP echo server listening', { addresses: addresses.join(','), port });
    } catch (e) {
      this.opts.log.warn('UDP echo server not started', { setting: UDP_ECHO_CONFIG_PATH, port, error: e instanceof Error ? e.message : String(e) });
    }
  }
}

function time(us: number | undefined): string {
  return us === undefined ? UNKNOWN_TIME : isoMicros(us);
}
