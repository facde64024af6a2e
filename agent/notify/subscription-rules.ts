/**
 * What a Device.LocalAgent.Subscription.{i} row may hold, checked when it is added or set
 * (TR-369 R-NOT.0: the agent follows the TR-181 Subscription object's rules):
 * - at most MAX_SUBSCRIPTIONS_PER_RECIPIENT rows per Recipient (7005 Resources Exceeded);
 * - every ReferenceList entry names something in the supported model (7026 Invalid Path) of
 *   the kind its NotifType allows (7012 Invalid Value), so a subscription that could never fire
 *   is refused instead of accepted silently;
 * - a row goes with the Controller its Recipient names (TP-469 1.78).
 */
import type { ParsedPath, Segment } from '../../datamodel/path/Path.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { RowIndex } from '../../datamodel/store/RowIndex.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/**
 * Subscription rows one Recipient (controller) may own. TR-369 names no code for a full table;
 * 7005 ("failed due to memory or processing limitations") is the one that describes it.
 */
export const MAX_SUBSCRIPTIONS_PER_RECIPIENT = 100;

const SUBSCRIPTION_TABLE = 'Device.LocalAgent.Subscription.';

/**
 * Keeps the Subscription rows countable per Recipient (DataStore.indexRows), so the bound below
 * costs the same at 10 rows and at 10,000; pass the result to checkSubscriptionBound.
 */
export function indexSubscriptionsByRecipient(store: DataStore): RowIndex {
  return store.indexRows(`${SUBSCRIPTION_TABLE}{i}.`, ['Recipient'], { Recipient: '' });
}

/** Refuses a new row when `recipient` already owns MAX_SUBSCRIPTIONS_PER_RECIPIENT rows (7005). */
export function checkSubscriptionBound(byRecipient: RowIndex, recipient: string): void {
  const owned = byRecipient.count(SUBSCRIPTION_TABLE, { Recipient: recipient });
  if (owned >= MAX_SUBSCRIPTIONS_PER_RECIPIENT) {
    throw new UspError(ErrorCode.ResourcesExceeded, `${recipient || 'the agent'} already has ${owned} subscriptions (at most ${MAX_SUBSCRIPTIONS_PER_RECIPIENT} per controller)`);
  }
}

/** The kinds of ReferenceList entry each NotifType accepts (TR-181 Subscription.{i}.ReferenceList). */
const ALLOWED: Record<string, { leaf?: 'parameter' | 'command' | 'event'; tablesOnly?: boolean }> = {
  ValueChange: { leaf: 'parameter' },
  ObjectCreation: { tablesOnly: true },
  ObjectDeletion: { tablesOnly: true },
  OperationComplete: { leaf: 'command' },
  Event: { leaf: 'event' },
};

/**
 * Throws unless every entry of `referenceList` is a path into the supported model fitting
 * `notifType` (an empty NotifType checks the paths only). Instances need not exist yet: a
 * subscription may wait for them. Reference following (`Ref+`) ends the static check, since
 * its target is only known at the moment of a change.
 */
export function checkReferenceList(model: DataModel, notifType: string, referenceList: string): void {
  const allowed = ALLOWED[notifType];
  for (const text of referenceList
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let parsed: ParsedPath;
    try {
      parsed = parsePath(text);
    } catch (e) {
      if (!(e instanceof UspError)) throw e;
      throw new UspError(ErrorCode.InvalidValue, `ReferenceList entry ${text} is not a path: ${e.message}`);
    }
    if (allowed && parsed.kind !== 'object' && parsed.kind !== allowed.leaf) {
      throw new UspError(ErrorCode.InvalidValue, `ReferenceList entry ${text} is a ${parsed.kind} path, which ${notifType} cannot use`);
    }
    const found = supportedNodeOf(model, parsed.segments, `ReferenceList entry ${text}`);
    if (!found) continue;
    const { node } = found;
    if (parsed.kind !== 'object') {
      const leaf = parsed.leaf;
      // A parameter, command or event sits on an instance, never on a bare table.
      if (found.open) throw notSupported(`ReferenceList entry ${text}`);
      const there = parsed.kind === 'parameter' ? node.params.has(leaf) : parsed.kind === 'command' ? node.commands.has(leaf) : node.events.has(leaf);
      if (!there) throw notSupported(`ReferenceList entry ${text}`);
    }
    if (!allowed) continue;
    if (allowed.tablesOnly && (parsed.kind !== 'object' || !node.multi)) {
      throw new UspError(ErrorCode.InvalidValue, `ReferenceList entry ${text}: ${notifType} needs a multi-instance object`);
    }
  }
}

/**
 * The supported node the object part of a path names (`open` when it ends at a table with no
 * instance chosen), or undefined after a reference follow; 7026 outside the supported model.
 * `what` names the path in the error ("ReferenceList entry Device.X").
 */
export function supportedNodeOf(model: DataModel, segments: readonly Segment[], what: string): { node: ModelNode; open: boolean } | undefined {
  const first = segments[0];
  if (first?.kind !== 'name' || first.name !== model.root.name || !model.root.supported) throw notSupported(what);
  let node = model.root;
  // A table named but not yet given an instance (number, * or search expression).
  let open = false;
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i];
    if (s.kind === 'name') {
      if (s.ref) {
        if (open || !node.params.has(s.name)) throw notSupported(what);
        return undefined;
      }
      if (open) throw notSupported(what);
      const child = node.supportedChild(s.name);
      if (!child) throw notSupported(what);
      node = child;
      open = child.multi;
    } else {
      if (!open) throw notSupported(what);
      open = false;
    }
  }
  return { node, open };
}

function notSupported(what: string): UspError {
  return new UspError(ErrorCode.InvalidPath, `${what} is not in the supported data model`);
}

/**
 * TR-181 Subscription.{i}.Recipient is a strong reference to a Controller row "deleted with its
 * target": deleting Device.LocalAgent.Controller.{i} deletes the subscriptions it receives, in
 * the same transaction (so ObjectDeletion is notified, and a failed Delete keeps them).
 */
export function deleteSubscriptionsWithTheirController(model: DataModel, store: DataStore): void {
  const subscription = model.requireNode(`${SUBSCRIPTION_TABLE}{i}.`);
  model.onDelete('Device.LocalAgent.Controller.{i}.', async (controller, tx) => {
    const target = controller.node.pathOf(controller.keys).replace(/\.$/, '');
    for (const n of [...store.instances(SUBSCRIPTION_TABLE)]) {
      const recipient = String(store.row(`${SUBSCRIPTION_TABLE}${n}.`)?.Recipient ?? '').replace(/\.$/, '');
      if (recipient === target) await tx.delete({ node: subscription, keys: [n] });
    }
  });
}
