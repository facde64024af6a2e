/**
 * Where a WebSocket server MTP listens: Device.LocalAgent.MTP.{i}.WebSocket.Interfaces is a list of
 * Device.IP.Interface.{i} references (TR-181 WebSocketAgent:1); the server binds to those
 * interfaces' IPv4Address.{i}.IPAddress and IPv6Address.{i}.IPAddress, or to every address when
 * the list is empty. IPv6 link-local addresses are left out (binding one needs a zone index the
 * data model does not carry), as are disabled address rows.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';

const INTERFACE_REF = /^Device\.IP\.Interface\.(\d+)\.?$/;
const LINK_LOCAL_V6 = /^fe[89ab][0-9a-f]:/i;

/**
 * The addresses `interfaces` (the Interfaces value of MTP row `setting`) names, or undefined for
 * every address. Throws, naming the setting and the fix, for a reference that is not a
 * Device.IP.Interface row this platform serves: a configuration error, not a passing state.
 */
export async function listenAddresses(model: DataModel, interfaces: string, setting: string): Promise<string[] | undefined> {
  const refs = interfaces
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (refs.length === 0) return undefined;
  const table = model.requireNode('Device.IP.Interface.{i}.');
  const served = await model.listInstances(table, [], {});
  const out = new Set<string>();
  for (const ref of refs) {
    const n = Number(INTERFACE_REF.exec(ref)?.[1] ?? NaN);
    if (!served.includes(n)) {
      const choice = served.length ? `one of ${served.map((i) => `Device.IP.Interface.${i}`).join(', ')}` : 'empty (this platform serves no Device.IP.Interface)';
      throw new Error(`${setting} names ${JSON.stringify(ref)}, which is not a Device.IP.Interface this platform serves; set it to ${choice}, or to empty for every address`);
    }
    for (const family of ['IPv4Address', 'IPv6Address'] as const) {
      const node = model.requireNode(`Device.IP.Interface.{i}.${family}.{i}.`);
      for (const k of await model.listInstances(node, [n], {})) {
        const v = await model.readValues({ node, keys: [n, k] }, {});
        const address = String(v.IPAddress ?? '');
        if (address === '' || v.Enable === false || LINK_LOCAL_V6.test(address)) continue;
        out.add(address);
      }
    }
  }
  return [...out];
}

/** Whether `address` is a loopback address (127.0.0.0/8, ::1); '*' (every address) is not. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}
