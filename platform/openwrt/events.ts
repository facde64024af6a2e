/**
 * Changes behind the agent's back, from ubus events rather than polling:
 *
 * - `ubus listen network.interface ubus.object.add ubus.object.remove`: netifd's ifup/ifdown/
 *   ifupdate events make Device.IP. be re-read once and compared with the last reading, giving
 *   ObjectCreation/ObjectDeletion/ValueChange; hostapd objects appearing or leaving (a BSS
 *   going up or down) restart the hostapd subscriptions.
 * - `ubus subscribe hostapd.<ifname>`, one per BSS (the CLI does not say which object a
 *   notification came from): assoc/disassoc become AssociatedDevice creation/deletion.
 *
 * Each is a long-running child restarted with back-off if it dies; stop() ends them all.
 */
import type { Change } from '../../datamodel/tree/ChangeFeed.js';
import { type ObjectValues, readSubtree } from '../../datamodel/tree/read-object.js';
import type { Value } from '../../datamodel/value/Value.js';
import { LineProcess } from '../exec/LineProcess.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { StationEvent, StationTracker } from './wifi-stations.js';
import type { WiFiState } from './WiFiState.js';

/** Parameters that change every second; a ValueChange for them would be noise. */
const VOLATILE = new Set(['LastChange', 'PreferredLifetime', 'ValidLifetime', 'UpTime']);

const STATION_EVENTS: Record<string, StationEvent> = {
  assoc: 'assoc',
  'sta-authorized': 'assoc',
  disassoc: 'disassoc',
  deauth: 'disassoc',
};

export interface EventOptions {
  /** First restart delay of a listener that died (doubles up to a minute). */
  backoffMs?: number;
}

export interface EventSources {
  /** Resolves once the listeners run and the Device.IP. baseline is read. */
  ready: Promise<void>;
  stop(): void;
}

export function startEvents(ctx: OpenWrtContext, wifi: WiFiState, stations: StationTracker, opts: EventOptions = {}): EventSources {
  const { log } = ctx;
  let stopped = false;
  const spawnListener = (args: string[], onLine: (type: string, data: Record<string, unknown>) => void): LineProcess => {
    const p = new LineProcess({
      runner: ctx.runner,
      cmd: 'ubus',
      args,
      log,
      minDelayMs: opts.backoffMs,
      onLine: (line) => {
        const event = parseEvent(line);
        if (event) onLine(event.type, event.data);
      },
    });
    p.start();
    return p;
  };

  const ip = new SubtreeWatcher(ctx, 'Device.IP.');
  const hostapd = new Map<string, LineProcess>();
  const refreshHostapd = async (): Promise<void> => {
    let objects: string[] = [];
    try {
      const out = await ctx.runner.run('ubus', ['list', 'hostapd.*']);
      objects = out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^hostapd\.[^.*\s]+$/.test(l));
    } catch (e) {
      log.warn('cannot list hostapd objects; association events unavailable', { error: e instanceof Error ? e.message : String(e) });
    }
    if (stopped) return;
    for (const [name, p] of hostapd)
      if (!objects.includes(name)) {
        p.stop();
        hostapd.delete(name);
      }
    for (const name of objects) {
      if (hostapd.has(name)) continue;
      const ifname = name.slice('hostapd.'.length);
      hostapd.set(
        name,
        spawnListener(['subscribe', name], (type, data) => {
          const event = STATION_EVENTS[type];
          if (event && typeof data.address === 'string') {
            stations.onEvent(ifname, event, data.address).catch((e: unknown) => log.warn('association event not applied', { ifname, error: e instanceof Error ? e.message : String(e) }));
          }
        }),
      );
    }
  };

  const listener = spawnListener(['listen', 'network.interface', 'ubus.object.add', 'ubus.object.remove'], (type, data) => {
    if (type === 'network.interface') {
      ctx.forget('network.interface');
      ctx.forget('network.device');
      ip.changed();
    } else if ((type === 'ubus.object.add' || type === 'ubus.object.remove') && String(data.path ?? '').startsWith('hostapd.')) {
      wifi.forget();
      void refreshHostapd();
    }
  });

  const ready = Promise.all([refreshHostapd(), ip.baseline()]).then(() => undefined);
  return {
    ready,
    stop: () => {
      stopped = true;
      ip.stop();
      listener.stop();
      for (const p of hostapd.values()) p.stop();
      hostapd.clear();
    },
  };
}

/** `{ "network.interface": {"action":"ifup","interface":"wan"} }` → its type and data. */
export function parseEvent(line: string): { type: string; data: Record<string, unknown> } | undefined {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const [type] = Object.keys(o);
    const data = o[type];
    return type && data && typeof data === 'object' ? { type, data: data as Record<string, unknown> } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Re-reads one subtree when told it changed and reports the difference against the previous
 * reading as created/deleted/value changes. Readings never overlap: changes arriving during a
 * reading cause exactly one more.
 */
class SubtreeWatcher {
  private last?: Map<string, ObjectValues>;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ctx: OpenWrtContext,
    private readonly path: string,
  ) {}

  /** The first reading, reported to nobody. */
  async baseline(): Promise<void> {
    this.last = (await this.read()) ?? this.last;
  }

  changed(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const now = await this.read();
        if (!now || this.stopped) continue;
        if (this.last) for (const c of diff(this.last, now)) this.ctx.model.changes.emit(c);
        this.last = now;
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async read(): Promise<Map<string, ObjectValues> | undefined> {
    const { model, log } = this.ctx;
    const out: ObjectValues[] = [];
    try {
      await readSubtree(model, { node: model.requireNode(this.path), keys: [] }, 0, {}, out);
    } catch (e) {
      log.warn('cannot read after a change event', { path: this.path, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
    return new Map(out.map((o) => [o.path, o]));
  }
}

/** What changed between two readings of a subtree. */
export function diff(before: Map<string, ObjectValues>, after: Map<string, ObjectValues>): Change[] {
  const out: Change[] = [];
  for (const [path, o] of before) if (!after.has(path) && o.inst.node.multi) out.push({ kind: 'deleted', inst: o.inst, path });
  for (const [path, o] of after) {
    const old = before.get(path);
    if (!old) {
      if (o.inst.node.multi) out.push({ kind: 'created', inst: o.inst, path });
      continue;
    }
    for (const [param, value] of Object.entries(o.values) as Array<[string, Value]>) {
      if (!VOLATILE.has(param) && old.values[param] !== value) out.push({ kind: 'value', inst: o.inst, path, param, value });
    }
  }
  return out;
}
