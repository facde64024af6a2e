/**
 * One fleet defaults file, many gateways: the text `{n}` in any string value becomes the
 * gateway's number (`"proto::sim-{n}"` → `"proto::sim-42"`), and each gateway's simulated device
 * is seeded from the fleet's seed and its number.
 */
import type { AgentTlsFiles } from '../Agent.js';
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
 * Refuses `--cert`/`--key` of which only one holds `{n}`: gateway n's certificate would be paired
 * with every other gateway's key (or the reverse), and every start but one would fail.
 */
export function checkFleetTlsFiles(tls: AgentTlsFiles | undefined): void {
  if (tls?.cert === undefined || tls.key === undefined) return;
  if (tls.cert.includes(PLACEHOLDER) !== tls.key.includes(PLACEHOLDER)) {
    throw new FleetUsageError(`--cert ${tls.cert} --key ${tls.key}: either both hold ${PLACEHOLDER} (a certificate per gateway) or neither does (one shared certificate)`);
  }
  if (tls.ca?.includes(PLACEHOLDER)) throw new FleetUsageError(`--ca ${tls.ca}: the CA file is shared by every gateway; ${PLACEHOLDER} is taken in --cert and --key only`);
}

/**
 * Gateway `n`'s TLS files (TR-369 R-MTP.1): `{n}` in the `--cert`/`--key` paths becomes its number,
 * so each gateway can present its own client certificate (e.g. `certs/sim-{n}.pem`); without
 * `{n}` every gateway presents the one shared certificate. The CA file is always shared.
 */
export function gatewayTlsFiles(tls: AgentTlsFiles | undefined, n: number): AgentTlsFiles | undefined {
  if (tls === undefined) return undefined;
  const num = String(n);
  const sub = (path: string | undefined): string | undefined => path?.replaceAll(PLACEHOLDER, num);
  return { cert: sub(tls.cert), key: sub(tls.key), ca: tls.ca };
}

/**
 * The seed of gateway `n`'s simulated device: distinct for every number of one fleet (the seed
 * offsets the number, modulo 2^32, the width the simulation hashes), and the same on every run.
 */
export function gatewaySeed(fleetSeed: number, n: number): number {
  return (Math.imul(fleetSeed >>> 0, 0x9e3779b1) + n) >>> 0;
}
