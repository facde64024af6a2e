/**
 * Which parameters ValueChange ignores (TR-369 "Notifications and Subscription Mechanism"):
 * read-only counters and clocks that change all the time. GetSupportedDM reports them
 * VALUE_CHANGE_WILL_IGNORE and the value poller skips them — one rule, so the two always agree.
 */
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';

export function ignoresValueChange(node: ModelNode, name: string): boolean {
  const p = node.params.get(name);
  if (!p || p.access !== 'readOnly') return false;
  return node.name === 'Stats' || name === 'UpTime' || name === 'CurrentLocalTime';
}
