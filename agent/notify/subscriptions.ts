/**
 * Reading Device.LocalAgent.Subscription.{i} rows and matching their ReferenceList (TR-181;
 * DIGEST §5.1). References are resolved with the same path resolver as requests, so wildcards,
 * search expressions and object paths that cover everything below them all work.
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { UspError } from '../../datamodel/UspError.js';

export type NotifType = 'ValueChange' | 'ObjectCreation' | 'ObjectDeletion' | 'OperationComplete' | 'Event';

export interface SubscriptionRow {
  instance: number;
  id: string;
  recipientPath: string;
  references: string[];
  notifRetry: boolean;
}

/** Enabled subscriptions of one NotifType. */
export async function subscriptionsOf(model: DataModel, type: NotifType): Promise<SubscriptionRow[]> {
  const node = model.requireNode('Device.LocalAgent.Subscription.{i}.');
  const out: SubscriptionRow[] = [];
  for (const n of await model.listInstances(node, [], {})) {
    const v = await model.readValues({ node, keys: [n] }, {});
    if (v.Enable !== true || v.NotifType !== type) continue;
    out.push({
      instance: n,
      id: String(v.ID ?? ''),
      recipientPath: String(v.Recipient ?? ''),
      references: String(v.ReferenceList ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      notifRetry: v.NotifRetry === true,
    });
  }
  return out;
}

/**
 * Whether a command that ran at `objectPath` (instance path ending in ".") named `command`
 * ("Name()") is covered by one of the references: the command itself (any search form) or an
 * object path at or above it.
 */
export async function referencesCommand(model: DataModel, references: readonly string[], objectPath: string, command: string): Promise<boolean> {
  for (const ref of references) {
    try {
      const path = parsePath(ref);
      if (path.kind !== 'command' && path.kind !== 'object') continue;
      if (path.kind === 'command' && path.leaf !== command) continue;
      for (const m of await new PathResolver(model, {}).resolve(path)) {
        const at = m.table ? m.node.tablePathOf(m.keys) : m.node.pathOf(m.keys);
        if (path.kind === 'command' ? at === objectPath : objectPath.startsWith(at)) return true;
      }
    } catch (e) {
      // A reference that no longer resolves matches nothing; it does not stop the others.
      if (!(e instanceof UspError)) throw e;
    }
  }
  return false;
}

/** Recipient ("Device.LocalAgent.Controller.2") → that controller's Endpoint ID. */
export async function recipientEndpoint(model: DataModel, recipientPath: string): Promise<string | undefined> {
  const m = /^Device\.LocalAgent\.Controller\.(\d+)\.?$/.exec(recipientPath);
  if (!m) return undefined;
  const node = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const n = Number(m[1]);
  if (!(await model.listInstances(node, [], {})).includes(n)) return undefined;
  const v = await model.readValues({ node, keys: [n] }, {});
  return v.EndpointID ? String(v.EndpointID) : undefined;
}
