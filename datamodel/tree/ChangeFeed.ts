/**
 * What changed in the data model, for the subscription engine (ValueChange, ObjectCreation,
 * ObjectDeletion, Event). Listeners are called after a transaction commits, never for changes
 * that were rolled back.
 */
import type { Value } from '../value/Value.js';
import type { ObjectInstance } from './ModelNode.js';

export type Change = (
  | { kind: 'value'; inst: ObjectInstance; path: string; param: string; value: Value }
  | { kind: 'created'; inst: ObjectInstance; path: string }
  | { kind: 'deleted'; inst: ObjectInstance; path: string }
  | { kind: 'event'; inst: ObjectInstance; path: string; event: string; args: Record<string, Value> }
) & {
  /** The transaction's RequestContext.triggeredBy: a Subscription's TriggerConfigSettings made this change. */
  triggeredBy?: string;
};

export type ChangeListener = (change: Change) => void;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * Whether anyone may want created/deleted news now (ObjectCreation/ObjectDeletion
   * Subscriptions); the agent's notifications set it. A source that must poll to find rows that
   * came or went (the simulated churn) skips that work while it is false. Default: yes.
   */
  wantsObjectChanges: () => boolean = () => true;

  emit(change: Change): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        /* a listener's bug must not break the data model */
      }
    }
  }
}
