/**
 * Device.IP.Diagnostics.UDPEchoConfig. (TR-181 2.19, TR-143 §5): stored configuration that runs
 * the UDP echo server (udp-echo-server.ts) while Enable is true, with live counters. Enabling it
 * from disabled clears the counters and timestamps (TR-181). With Interface empty the server
 * listens on loopback only, not on every interface as TR-181 words it: an echo server open on
 * the WAN by default is a reflector; name the interface to serve it there.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
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

export function registerUdpEchoConfig(model: DataModel, store: DataStore, opts: UdpEchoConfigOptions): { start(): Promise<void>; stop(): void } {
  let counters = emptyCounters();
  let server: UdpEchoServer | undefined;
  let enabled = false;
  let stopped = false;
  // Reconfigurations run one after another, so two Sets never race for the port.
  let applying: Promise<void> = Promise.resolve();
  const row = (): Record<string, Value> => store.row(UDP_ECHO_CONFIG_PATH) ?? {};

  const apply = async (): Promise<void> => {
    server?.stop();
    server = undefined;
    const r = row();
    const enable = r.Enable === true && !stopped;
    if (enable && !enabled) counters = emptyCounters();
    enabled = enable;
    if (!enable) return;
    const port = Number(r.UDPPort ?? 0);
    const ref = String(r.Interface ?? '');
    try {
      const addresses = ref === '' ? LOOPBACK : ((await listenAddresses(model, ref, `${UDP_ECHO_CONFIG_PATH}Interface`)) ?? LOOPBACK);
      if (addresses.length === 0) throw new Error(`${ref} has no IP address to listen on`);
      const s = new UdpEchoServer(
        { addresses: addresses.slice(0, 8), port, sourceIPAddress: String(r.SourceIPAddress ?? ''), echoPlus: r.EchoPlusEnabled === true, maxRepliesPerSecond: opts.maxRepliesPerSecond },
        counters,
      );
      await s.start();
      if (stopped) {
        s.stop();
        return;
      }
      server = s;
      opts.log.info('UDP echo server listening', { addresses: addresses.join(','), port });
    } catch (e) {
      opts.log.warn('UDP echo server not started', { setting: UDP_ECHO_CONFIG_PATH, port, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const reapply = (): Promise<void> => (applying = applying.then(apply));

  const time = (us: number | undefined): string => (us === undefined ? UNKNOWN_TIME : isoMicros(us));
  registerStored(model, store, UDP_ECHO_CONFIG_PATH, {
    live: {
      EchoPlusSupported: () => true,
      PacketsReceived: () => counters.packetsReceived,
      PacketsResponded: () => counters.packetsResponded,
      BytesReceived: () => counters.bytesReceived,
      BytesResponded: () => counters.bytesResponded,
      TimeFirstPacketReceived: () => time(counters.firstReceived),
      TimeLastPacketReceived: () => time(counters.lastReceived),
    },
    validate: (_keys, changes) => {
      const next = { ...row(), ...changes };
      const ref = String(next.Interface ?? '');
      if ('Interface' in changes && ref !== '' && !INTERFACE_REF.test(ref))
        throw new UspError(ErrorCode.InvalidValue, `${UDP_ECHO_CONFIG_PATH}Interface must be a Device.IP.Interface.{i} reference or empty`);
      const source = String(next.SourceIPAddress ?? '');
      if ('SourceIPAddress' in changes && source !== '' && isIP(source) === 0) throw new UspError(ErrorCode.InvalidValue, `${UDP_ECHO_CONFIG_PATH}SourceIPAddress must be an IP address or empty`);
      const port = Number(next.UDPPort ?? 0);
      if (next.Enable === true && (port < 1 || port > 65535)) throw new UspError(ErrorCode.InvalidValue, `${UDP_ECHO_CONFIG_PATH}UDPPort must be 1-65535 while Enable is true`);
    },
    onChange: () => {
      void reapply();
    },
  });
  return {
    start: () => reapply(),
    stop: () => {
      stopped = true;
      server?.stop();
      server = undefined;
    },
  };
}
