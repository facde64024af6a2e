/**
 * Which ports' Device.Ethernet.RMONStats.{i}. rows a Controller disabled (Enable false), on the
 * platforms whose counters are the kernel's (Linux, OpenWrt): the kernel keeps counting either
 * way, so Enable is the agent's own setting, and it is kept in the agent's store so that it
 * outlives a restart of the agent and a reboot.
 *
 * A row is named by its port's kernel name (eth0, lan1), not by its instance number: the numbers
 * follow the order the ports are found in, which another port appearing changes.
 *
 * Bounded: at most MAX_DISABLED_PORTS names. Past it, the names of ports absent now go first
 * (a port that stays away keeps its setting only until then).
 */
import type { DataStore } from '../datamodel/store/DataStore.js';

/** The store row holding them (beside nothing else of the agent's). */
const ROW = 'Device.Ethernet.';
/** In that row: a JSON array of port names. */
const KEY = '$rmonDisabledPorts';
/** More ports than any CPE has; the bound on what the store keeps. */
export const MAX_DISABLED_PORTS = 256;
/** A kernel interface name: at most 15 bytes (IFNAMSIZ - 1). */
const PORT_NAME = /^[^\s/]{1,15}$/;

/** The disabled ports, in `store` (without one: for the life of the agent). */
export class RmonDisabledPorts {
  private readonly held = new Set<string>();
  /** The stored text last parsed, and what it held: a read does not parse it again. */
  private parsedText: string | undefined;
  private parsed: ReadonlySet<string> = new Set();

  constructor(private readonly store: DataStore | undefined) {}

  has(port: string): boolean {
    return this.all().has(port);
  }

  /** Disables `port`'s row; `present` are the ports there are now (never the ones dropped to stay within the bound). */
  add(port: string, present: Iterable<string> = []): void {
    if (this.has(port)) return;
    const next = [...this.all(), port];
    if (next.length > MAX_DISABLED_PORTS) {
      const here = new Set(present);
      here.add(port);
      const gone = next.filter((p) => !here.has(p)).slice(0, next.length - MAX_DISABLED_PORTS);
      this.save(next.filter((p) => !gone.includes(p)));
    } else this.save(next);
  }

  delete(port: string): void {
    if (this.has(port)) this.save([...this.all()].filter((p) => p !== port));
  }

  private save(ports: string[]): void {
    if (!this.store) {
      this.held.clear();
      for (const p of ports) this.held.add(p);
      return;
    }
    this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [KEY]: JSON.stringify(ports) });
  }

  private all(): ReadonlySet<string> {
    if (!this.store) return this.held;
    const text = this.store.row(ROW)?.[KEY];
    if (typeof text !== 'string') return new Set();
    if (text !== this.parsedText) {
      this.parsedText = text;
      this.parsed = parsePorts(text);
    }
    return this.parsed;
  }
}

/** The names in the stored text; a damaged entry (edited by hand) is none, not a failed start. */
function parsePorts(text: string): ReadonlySet<string> {
  try {
    const raw = JSON.parse(text) as unknown;
    if (!Array.isArray(raw)) return new Set();
    return new Set(raw.filter((p): p is string => typeof p === 'string' && PORT_NAME.test(p)).slice(0, MAX_DISABLED_PORTS));
  } catch {
    return new Set();
  }
}
