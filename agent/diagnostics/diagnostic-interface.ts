/**
 * The Interface input of the IP diagnostics (TR-181 Device.IP.Diagnostics.*(): "IP-layer interface
 * over which the test is to be performed", a Device.IP.Interface.{i} reference or empty for the
 * routing policy's choice): the source address the test binds to, and the interface's IP-layer
 * byte counters (Stats.BytesReceived/BytesSent) that TR-143 TotalBytes* may be sampled from.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { listenAddresses } from '../transports/listen-addresses.js';
import type { ProtocolVersion } from './resolve-host.js';

const INTERFACE_REF = /^Device\.IP\.Interface\.(\d+)\.?$/;

/**
 * The address of `ref` of the family ProtocolVersion asks for (IPv4 first for Any), undefined
 * for an empty Interface. Throws 7027 for a reference this platform does not serve, or an
 * interface without an address of that family: the test cannot be run as asked.
 */
export async function interfaceAddress(model: DataModel, ref: string, version: ProtocolVersion, input = 'Interface'): Promise<string | undefined> {
  if (ref === '') return undefined;
  let addresses: string[];
  try {
    addresses = (await listenAddresses(model, ref, `input argument ${input}`)) ?? [];
  } catch (e) {
    throw new UspError(ErrorCode.InvalidCommandArgs, e instanceof Error ? e.message : String(e));
  }
  const v4 = addresses.find((a) => !a.includes(':'));
  const v6 = addresses.find((a) => a.includes(':'));
  const chosen = version === 'IPv4' ? v4 : version === 'IPv6' ? v6 : (v4 ?? v6);
  if (chosen === undefined) throw new UspError(ErrorCode.InvalidCommandArgs, `input argument ${input}: ${ref} has no ${version === 'Any' ? 'IP' : version} address to test from`);
  return chosen;
}

/** Reads `ref`'s Stats.BytesReceived/BytesSent; undefined when it has none to read. */
export function interfaceCounters(model: DataModel, ref: string): (() => Promise<{ rx: number; tx: number } | undefined>) | undefined {
  const n = Number(INTERFACE_REF.exec(ref)?.[1] ?? NaN);
  const node = model.node('Device.IP.Interface.{i}.Stats.');
  if (!Number.isInteger(n) || !node || !model.bindingOf(node)) return undefined;
  return async () => {
    try {
      const v = await model.readValues({ node, keys: [n] }, {});
      const rx = Number(v.BytesReceived);
      const tx = Number(v.BytesSent);
      return Number.isFinite(rx) && Number.isFinite(tx) ? { rx, tx } : undefined;
    } catch {
      return undefined;
    }
  };
}
