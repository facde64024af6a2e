/**
 * One fleet defaults file, many gateways: the text `{n}` in any string value becomes the
 * gateway's number (`"proto::sim-{n}"` → `"proto::sim-42"`), and each gateway's simulated device
 * is seeded from the fleet's seed and its number.
 */
import type { DefaultsFile } from '../defaults/apply-defaults.js';
import { FleetUsageError } from './shard.js';

const PLACEHOLDER = '{n}';
const ENDPOINT_ID = 'Device.LocalAgent.EndpointID';

/**
 * Refuses a defaults file that would give every gateway the same identity: its
 * Device.LocalAgent.EndpointID must hold `{n}` (TR-369 R-ARC.2: an Endpoint ID is unique), or
 * the broker and the controller could not tell the gateways apart.
 */
export function checkFleetDefaults(defaults: DefaultsFile, file: string): void {
  const eid = defaults[ENDPOINT_ID];
  if (typeof eid !== 'string' || !eid.includes(PLACEHOLDER)) {
    throw new FleetUsageError(`--defaults ${file}: ${ENDPOINT_ID} must contain ${PLACEHOLDER} (e.g. "proto::sim-${PLACEHOLDER}"), or every gateway would have the same Endpoint ID`);
  }
}

/** The defaults of gateway `n`: `{n}` replaced in every string value; other values shared as they are. */
export function gatewayDefaults(defaults: DefaultsFile, n: number): DefaultsFile {
  const out: DefaultsFile = {};
  const num = String(n);
  for (const [path, v] of Object.entries(defaults)) out[path] = typeof v === 'string' && v.includes(PLACEHOLDER) ? v.replaceAll(PLACEHOLDER, num) : v;
  return out;
}

/**
 * The seed of gateway `n`'s simulated device: distinct for every number of one fleet (the seed
 * offsets the number, modulo 2^32, the width the simulation hashes), and the same on every run.
 */
export function gatewaySeed(fleetSeed: number, n: number): number {
  return (Math.imul(fleetSeed >>> 0, 0x9e3779b1) + n) >>> 0;
}
