/**
 * A prompt reconnect when the WAN comes back (issue "Transports": never wait out a long back-off
 * once the link is up again). The platform reports interface state in the data model: an
 * IP.Interface or Cellular.Interface whose Status turns "Up" makes every dialling MTP (WebSocket
 * client, MQTT) try again now.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { StartedTransport } from './TransportDeps.js';

const WATCHED = new Set(['Device.IP.Interface.{i}.', 'Device.Cellular.Interface.{i}.', 'Device.Ethernet.Interface.{i}.']);

export function reconnectOnWanUp(model: DataModel, mtps: () => readonly StartedTransport[], log: Logger): () => void {
  return model.changes.subscribe((c) => {
    if (c.kind !== 'value' || c.param !== 'Status' || c.value !== 'Up' || !WATCHED.has(c.inst.node.supportedPath)) return;
    const dialers = mtps().filter((m) => typeof m.kick === 'function');
    if (dialers.length === 0) return;
    log.info('interface up; reconnecting dialling MTPs now', { interface: c.path, mtps: dialers.length });
    for (const m of dialers) m.kick!();
  });
}
