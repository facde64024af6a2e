/**
 * A plain (unencrypted) WebSocket server names each peer only by the `eid` it claims, so anyone who
 * can reach it can speak as any controller it serves. TR-369 R-MTP.0 allows that inside a LAN
 * only; on a loopback address only local processes can reach it. When such a server listens on a
 * non-loopback address and a role whose rows grant everything (the built-in Role.1 "Full Access",
 * or any role like it) is held by an enabled controller or by UntrustedRole, the operator is
 * warned once at start.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Logger } from '../../datamodel/Logger.js';
import { grantsEverything } from '../access/ControllerPermissions.js';
import { loadTrust, roleInstances } from '../access/load-trust.js';
import { isLoopback } from './listen-addresses.js';

/** Who holds a full-access role: controller Endpoint IDs, and "UntrustedRole" for any unknown endpoint. */
export async function fullAccessHolders(model: DataModel): Promise<string[]> {
  const trust = await loadTrust(model);
  const fullRoles = new Set([...trust.roles.values()].filter(grantsEverything).map((r) => r.instance));
  if (fullRoles.size === 0) return [];
  const full = async (refs: string): Promise<boolean> => (await roleInstances(model, refs)).some((n) => fullRoles.has(n));
  const out: string[] = [];
  if (await full(trust.untrustedRole)) out.push('UntrustedRole');
  const table = model.requireNode('Device.LocalAgent.Controller.{i}.');
  for (const n of await model.listInstances(table, [], {})) {
    const v = await model.readValues({ node: table, keys: [n] }, {});
    if (v.Enable === true && (await full(String(v.AssignedRole ?? '')))) out.push(String(v.EndpointID ?? ''));
  }
  return out;
}

/** Logs the warning for MTP row `mtp` listening in plain WebSocket on `addresses` ('*' = every address). */
export async function warnIfFullAccessOverPlain(model: DataModel, log: Logger, mtp: number, addresses: string[]): Promise<void> {
  const exposed = addresses.filter((a) => !isLoopback(a));
  if (exposed.length === 0) return;
  const holders = await fullAccessHolders(model);
  if (holders.length === 0) return;
  log.warn(
    'full-access role reachable over plain WebSocket on a non-loopback address: anyone who can reach it can claim these Endpoint IDs; ' +
      'set EnableEncryption true, or bind to loopback with Interfaces',
    {
      mtp: `Device.LocalAgent.MTP.${mtp}.WebSocket`,
      addresses: exposed.join(','),
      holders: holders.join(','),
    },
  );
}
