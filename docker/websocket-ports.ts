/**
 * Which WebSocket server ports the agent in the container should be listening on: what the
 * container's health check connects to. Read from the agent's saved state (what it runs with,
 * including a controller's later Set of the Port) over the factory defaults it was started with.
 */
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';

/** The saved-state document (`<data-dir>/state.json`, format 1): object path → parameter values. */
export interface SavedState {
  format: number;
  rows: Record<string, Record<string, unknown>>;
}

/** Parameter path → value, flattened from the saved state's rows. */
export function flattenState(state: SavedState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [objectPath, values] of Object.entries(state.rows)) {
    for (const [param, value] of Object.entries(values)) out[objectPath + param] = value;
  }
  return out;
}

/** TR-181 2.19 default of Device.LocalAgent.MTP.{i}.WebSocket.Port. */
const DEFAULT_PORT = 8443;
const MTP = /^Device\.LocalAgent\.MTP\.(\d+)\.(Enable|Protocol|WebSocket\.Port)$/;

/**
 * Ports of the enabled `Device.LocalAgent.MTP.{i}` rows whose Protocol is WebSocket (the agent's
 * WebSocket servers), in instance order. `values` maps parameter paths to values, later sources
 * winning: `{ ...defaults, ...flattenState(state) }`. A row with no Port has TR-181's default for
 * `Device.LocalAgent.MTP.{i}.WebSocket.Port`, 8443.
 */
export function webSocketPorts(values: Readonly<Record<string, unknown>> | DefaultsFile): number[] {
  const rows = new Map<number, { enable?: unknown; protocol?: unknown; port?: unknown }>();
  for (const [path, value] of Object.entries(values)) {
    const m = MTP.exec(path);
    if (!m) continue;
    const i = Number(m[1]);
    const row = rows.get(i) ?? {};
    if (m[2] === 'Enable') row.enable = value;
    else if (m[2] === 'Protocol') row.protocol = value;
    else row.port = value;
    rows.set(i, row);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .filter(([, r]) => (r.enable === true || r.enable === 'true') && r.protocol === 'WebSocket')
    .map(([, r]) => (r.port === undefined ? DEFAULT_PORT : Number(r.port)))
    .filter((port) => Number.isInteger(port) && port > 0 && port < 65536);
}
