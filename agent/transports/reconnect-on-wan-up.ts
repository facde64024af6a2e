/**
 * A prompt reconnect when the WAN comes back (issue "Transports": never wait out a long back-off
 * once the link is up again). The platform reports interface state in the data model: an
 * IP.Interface or Cellular.Interface whose Status turns "Up" makes every dialling MTP (WebSocket
 * client, MQTT) try again now.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { StartedTransport } from './TransportDeps.js';

const WATCHED = new Set(['Device.IP.Interface.{i}.', 'Device.Cellular.Interface.{i}.', 'Device.Ethernet.Interface.{i}.']);

/** Whose dialling MTPs to kick: the agent's running MTPs, read when an interface comes up. */
export interface DiallingMtps {
  readonly mtps: readonly StartedTransport[];
}

/** Starts watching; stop() on what it returns stops it. */
export function reconnectOnWanUp(model: DataModel, agent: DiallingMtps, log: Logger): { stop(): void } {
  const watch = new WanUpWatch(model, agent, log);
  model.changes.observe(watch);
  return watch;
}

/** An observer of the change feed (its method one copy for a fleet, issue 14), not a closure per agent. */
class WanUpWatch implements ChangeObserver {
  constructor(
    private readonly model: DataModel,
    private readonly agent: DiallingMtps,
    private readonly log: Logger,
  ) {}

  modelChanged(c: Change): void {
    if (c.kind !== 'value' || c.param !== 'Status' || c.value !== 'Up' || !WATCHED.has(c.inst.node.supportedPath)) return;
    const dialers = this.agent.mtps.filter((m) => typeof m.kick === 'function');
    if (dialers.length === 0) return;
    this.log.info('interface up; reconnecting dialling MTPs now', { interface: c.path, mtps: dialers.length });
    for (const m of dialers) m.kick!();
  }

  stop(): void {
    this.model.changes.unobserve(this);
  }
}
