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

/**
 * A listener that is an object: a class's instances share its method, where a listener function
 * costs a closure (and subscribe() a second one, to unsubscribe) per subscriber, per gateway of a
 * fleet (issue 14).
 */
export interface ChangeObserver {
  modelChanged(change: Change): void;
}

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener | ChangeObserver>();
  /** Sources resting while nobody wanted created/deleted news (one per polling source of a model). */
  private get wakers(): Set<() => void> {
    return (this.wakersOf ??= new Set());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Set costs ~180 bytes. */
  private wakersOf?: Set<() => void>;

  subscribe(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Calls `o.modelChanged(change)` for every change from now on, until unobserve(o). */
  observe(o: ChangeObserver): void {
    this.listeners.add(o);
  }

  unobserve(o: ChangeObserver): void {
    this.listeners.delete(o);
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * Whether anyone may want created/deleted news now (ObjectCreation/ObjectDeletion
   * Subscriptions); the agent's notifications set it. A source that must poll to find rows that
   * came or went (the simulated churn) skips that work while it is false, and stops polling
   * until objectChangesMayBeWanted: whatever sets this must call that when it may turn true.
   * Default: yes.
   */
  wantsObjectChanges: () => boolean = () => true;

  /**
   * Calls `l` whenever wantsObjectChanges may have just turned true (objectChangesMayBeWanted),
   * so a resting source can learn its rows at that moment: a row that comes or goes after it is
   * then news, not something the source's next look learns silently.
   */
  onObjectChangesWanted(l: () => void): () => void {
    this.wakers.add(l);
    return () => this.wakers.delete(l);
  }

  /** Told by whatever sets wantsObjectChanges (the agent's Subscription table) the moment a Subscription may have appeared. */
  objectChangesMayBeWanted(): void {
    for (const l of this.wakers) {
      try {
        l();
      } catch {
        /* a source's bug must not break the data model */
      }
    }
  }

  emit(change: Change): void {
    for (const l of this.listeners) {
      try {
        if (typeof l === 'function') l(change);
        else l.modelChanged(change);
      } catch {
        /* a listener's bug must not break the data model */
      }
    }
  }
}
