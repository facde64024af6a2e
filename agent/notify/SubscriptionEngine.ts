/**
 * Turns what happens in the data model into Notify messages (TR-369 §"Notifications and
 * Subscriptions"): ValueChange, ObjectCreation, ObjectDeletion, Event and
 * OperationComplete, for every enabled subscription whose ReferenceList covers the change —
 * also when the subscriber itself caused it. Changes are handled in order, one at a time, from
 * a bounded backlog; the ones that happen behind the agent's back are found by ValuePoller.
 */
import { PUSH_EVENT } from '../bulkdata/push-event-channel.js';
import { recipientGetsPush } from '../bulkdata/push-recipient.js';
import { FULL_ACCESS, PERM_N, type AccessView, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import type { Logger } from '../../datamodel/Logger.js';
import type { Awaitable } from '../../datamodel/tree/binding.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { formatValue } from '../../datamodel/value/format-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { Notification, NotifyReq, StringMap } from '../codec/types.js';
import { formatParam } from '../handlers/format-params.js';
import { uniqueKeys } from '../handlers/unique-keys.js';
import { LOCAL_AGENT_PATH, recipientWantsTransferComplete, TRANSFER_COMPLETE } from '../firmware/transfer-complete.js';
import type { OperationObserver, OperationOutcome, OperationRunner } from '../operate/OperationRunner.js';
import { bootParameterMap } from './boot-parameters.js';
import { DueTimer, type DueTarget } from './due-timer.js';
import type { NotificationDelivery } from './NotificationDelivery.js';

/** The permissions of controllers by their roles (agent/access/AccessControl.ts). */
export interface RecipientRights {
  permissionsFor(roles: string): Promise<{ view(): AccessView }>;
}
import { coversDeletedInstance, coversItem, coversTable } from './reference-match.js';
import type { CompiledSubscription, IndexListener, NotifType, SubscriptionIndex } from './SubscriptionIndex.js';
import { applyTriggerConfig } from './trigger-config.js';

/** The agent itself (no access control wired): every right. */
const FULL_VIEW: AccessView = { secured: true, instance: () => FULL_ACCESS, supported: () => FULL_ACCESS, visibleInstances: (_n, _k, list) => list };

/** Changes waiting to be matched; beyond this the oldest are dropped and logged. */
export const MAX_BACKLOG = 10_000;
/** A TimeToLive delete that failed is tried again this much later. */
const TTL_RETRY_MS = 1000;

type Work = { change: Change } | { outcome: OperationOutcome };

export class SubscriptionEngine implements ChangeObserver, OperationObserver, DueTarget, IndexListener {
  private readonly backlog: Work[] = [];
  private running = false;
  /** Started: the TimeToLive expiry listens to the index. */
  private ttlListening = false;
  private readonly ttlTimer = new DueTimer(this);
  /** The index version the next expiry was computed at, and that expiry (Infinity: none has a TimeToLive). */
  private ttlComputedAt = -1;
  private nextExpiry = 0;
  private expiring = false;
  /** TriggerAction Config work, applied in order (see notify). */
  private configuring: Promise<void> = Promise.resolve();
  private configsPending = 0;
  /** Called for every ValueChange sent, so the poller does not report it a second time. */
  valueWatch?: { valueNotified(sub: CompiledSubscription, paramPath: string, value: string): void };

  constructor(
    private readonly model: DataModel,
    private readonly index: SubscriptionIndex,
    private readonly delivery: NotificationDelivery,
    operations: OperationRunner,
    private readonly log: Logger,
    /** The recipients' rights: a notification needs n on what it reports (TR-181 Permission.{i}); none: full access. */
    private readonly rights?: RecipientRights,
  ) {
    operations.observeCompletions(this);
  }

  /** An async command ended: its OperationComplete is matched in turn (OperationRunner.observeCompletions). */
  operationCompleted(outcome: OperationOutcome): void {
    this.push({ outcome });
  }

  /** The TimeToLive timer is due (DueTimer). */
  due(): void {
    void this.expireSubscriptions();
  }

  /** A Subscription or Controller row changed: the next expiry is looked at again (SubscriptionIndex.onChange). */
  indexChanged(): void {
    this.ttlTimer.soon();
  }

  /** What a recipient with these roles may see. */
  private async accessFor(roles: string): Promise<AccessView> {
    return this.rights ? (await this.rights.permissionsFor(roles)).view() : FULL_VIEW;
  }

  start(): void {
    this.model.changes.observe(this);
    // TimeToLive: looked at when a Subscription or Controller row changes and when the next row
    // expires, not every second (a fleet of 10,000 gateways spent its idle CPU on such polls).
    this.ttlListening = true;
    this.index.onChange(this);
    this.ttlTimer.soon();
  }

  stop(): void {
    this.model.changes.unobserve(this);
    this.index.offChange(this);
    this.ttlListening = false;
    this.ttlTimer.clear();
  }

  /** Every change of the model, queued to be matched (ChangeFeed.observe). */
  modelChanged(change: Change): void {
    this.push({ change });
  }

  /** Resolves when every queued change has been matched and every triggered configuration applied (tests, shutdown). */
  async idle(): Promise<void> {
    // Applied configurations are changes too: wait until neither side has work left.
    while (this.running || this.backlog.length > 0 || this.configsPending > 0) {
      await new Promise((r) => setTimeout(r, 2));
      await this.configuring;
    }
  }

  /**
   * A subscription fired: sends its notification, with its retry settings, and/or applies its
   * TriggerConfigSettings, as its TriggerAction says (TP-469 1.93/1.94). The Notify goes first.
   */
  notify(sub: CompiledSubscription, notification: Notification, triggeredBy?: string): void {
    if (sub.triggerAction !== 'Config') {
      const notify = { subscriptionId: sub.id, sendResp: sub.notifRetry, ...notification } as NotifyReq;
      this.delivery.send(sub.recipientEid, notify, {
        retry: sub.notifRetry,
        expirationS: sub.notifExpiration,
        retryMinWaitS: sub.retryMinWaitS,
        retryMultiplier: sub.retryMultiplier,
      });
    }
    if (sub.triggerAction !== 'Notify' && sub.triggerConfig.length > 0) {
      if (triggeredBy) {
        this.log.debug('subscription trigger configuration not applied: the change came from another trigger', { subscription: sub.path, triggeredBy });
        return;
      }
      // One after another, in firing order; bounded like the backlog.
      if (this.configsPending >= MAX_BACKLOG) {
        this.log.warn('subscription trigger configuration dropped: too many pending', { subscription: sub.path });
        return;
      }
      this.configsPending++;
      this.configuring = this.configuring
        .then(() => this.configure(sub))
        .finally(() => {
          this.configsPending--;
        });
    }
  }

  private async configure(sub: CompiledSubscription): Promise<void> {
    try {
      const applied = await applyTriggerConfig(this.model, sub.path, sub.triggerConfig, await this.accessFor(sub.recipientRoles));
      this.log.info('subscription trigger applied its configuration', { subscription: sub.path, parameters: applied });
    } catch (e) {
      this.log.warn('subscription trigger configuration refused', { subscription: sub.path, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** A ValueChange, if the recipient may be notified of that parameter (Param n). */
  async notifyValueChange(sub: CompiledSubscription, inst: ObjectInstance, param: string, text: string, triggeredBy?: string): Promise<void> {
    if (
      !(await this.may(
        sub,
        (a) => a.instance(inst),
        (ia) => ia.param(param),
      ))
    )
      return;
    const path = inst.node.pathOf(inst.keys) + param;
    this.notify(sub, { notification: 'valueChange', valueChange: { paramPath: path, paramValue: text } }, triggeredBy);
    this.valueWatch?.valueNotified(sub, path, text);
  }

  private async may(sub: CompiledSubscription, scope: (a: AccessView) => Awaitable<InstanceAccess>, bits: (ia: InstanceAccess) => number): Promise<boolean> {
    const access = await this.accessFor(sub.recipientRoles);
    return (bits(await scope(access)) & PERM_N) !== 0;
  }

  private push(w: Work): void {
    if (this.backlog.length >= MAX_BACKLOG) {
      this.backlog.shift();
      this.log.warn('notification backlog full; oldest change dropped');
    }
    this.backlog.push(w);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.backlog.length > 0) {
        const w = this.backlog.shift()!;
        try {
          if ('change' in w) await this.onChange(w.change);
          else await this.onOperationComplete(w.outcome);
        } catch (e) {
          this.log.error('notification matching failed', { error: e instanceof Error ? e.message : String(e) });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async subs(type: NotifType): Promise<CompiledSubscription[]> {
    return this.index.ofType(type);
  }

  private async onChange(c: Change): Promise<void> {
    switch (c.kind) {
      case 'value': {
        const syntax = c.inst.node.params.get(c.param);
        if (!syntax) return;
        const text = formatParam(syntax, c.value);
        for (const sub of await this.subs('ValueChange')) {
          if (!(await anyCovers(sub, (r) => coversItem(this.model, r, c.path, c.param)))) continue;
          await this.notifyValueChange(sub, c.inst, c.param, text, c.triggeredBy);
        }
        return;
      }
      case 'created': {
        const table = c.inst.node.tablePathOf(c.inst.keys.slice(0, -1));
        const matching = [];
        for (const sub of await this.subs('ObjectCreation')) {
          if (!(await anyCovers(sub, (r) => coversTable(this.model, r, table)))) continue;
          if (
            await this.may(
              sub,
              (a) => a.instance(c.inst),
              (ia) => ia.obj,
            )
          )
            matching.push(sub);
        }
        if (matching.length === 0) return;
        const keys = await uniqueKeys(this.model, {}, c.inst);
        for (const sub of matching) this.notify(sub, { notification: 'objCreation', objCreation: { objPath: c.path, uniqueKeys: keys } }, c.triggeredBy);
        return;
      }
      case 'deleted':
        for (const sub of await this.subs('ObjectDeletion')) {
          if (!sub.references.some((r) => coversDeletedInstance(r, c.path))) continue;
          // The row is gone: judge InstantiatedObj n on its table.
          if (
            await this.may(
              sub,
              (a) => a.supported(c.inst.node, c.inst.keys.slice(0, -1)),
              (ia) => ia.inst,
            )
          ) {
            this.notify(sub, { notification: 'objDeletion', objDeletion: { objPath: c.path } }, c.triggeredBy);
          }
        }
        return;
      case 'event':
        for (const sub of await this.subs('Event')) {
          if (!(await anyCovers(sub, (r) => coversItem(this.model, r, c.path, c.event)))) continue;
          if (
            !(await this.may(
              sub,
              (a) => a.instance(c.inst),
              (ia) => ia.event(c.event),
            ))
          )
            continue;
          // TransferComplete! only where the recipient's TransferCompletePolicy.ResultTypeFilter admits the result.
          if (c.event === TRANSFER_COMPLETE && c.path === LOCAL_AGENT_PATH && !(await recipientWantsTransferComplete(this.model, sub.recipientEid, c.args))) continue;
          // Push! only to the Profile's own Controller (TR-181 Profile.{i}.Controller).
          if (c.event === PUSH_EVENT && !(await recipientGetsPush(this.model, c.path, sub.recipientEid))) continue;
          const params = this.eventArgs(c.inst, c.event, c.args);
          // Boot!'s ParameterMap is the recipient's own BootParameter selection (TR-181 Boot!).
          if (c.event === 'Boot!' && c.path === 'Device.') params.ParameterMap = await bootParameterMap(this.model, sub.recipientEid);
          this.notify(sub, { notification: 'event', event: { objPath: c.path, eventName: c.event, params } }, c.triggeredBy);
        }
        return;
    }
  }

  private async onOperationComplete(o: OperationOutcome): Promise<void> {
    for (const sub of await this.subs('OperationComplete')) {
      if (!(await anyCovers(sub, (r) => coversItem(this.model, r, o.objPath, o.commandName)))) continue;
      if (
        o.inst &&
        !(await this.may(
          sub,
          (a) => a.instance(o.inst!),
          (ia) => ia.command(o.commandName),
        ))
      )
        continue;
      const base = { objPath: o.objPath, commandName: o.commandName, commandKey: o.commandKey };
      this.notify(sub, {
        notification: 'operComplete',
        operComplete: o.failure
          ? { ...base, operationResp: 'cmdFailure', cmdFailure: { errCode: o.failure.code, errMsg: o.failure.message } }
          : { ...base, operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: this.commandOutput(o) } },
      });
    }
  }

  /** TimeToLive: a subscription is deleted TTL seconds after its CreationDate. */
  private async expireSubscriptions(): Promise<void> {
    if (this.expiring || !this.ttlListening) return;
    this.expiring = true;
    try {
      await this.expireDue();
    } finally {
      this.expiring = false;
    }
    if (!this.ttlListening) return;
    // Rows changed meanwhile (the expired ones deleted, say): look again now; a delete that failed
    // (next expiry 0) is tried again a second later; else wake at the next expiry, if any.
    if (this.ttlComputedAt !== this.index.version) this.ttlTimer.soon();
    else this.ttlTimer.at(this.nextExpiry === 0 ? Date.now() + TTL_RETRY_MS : this.nextExpiry);
  }

  private async expireDue(): Promise<void> {
    const now = Date.now();
    const version = this.index.version;
    const all = await this.index.all();
    const expired = all.filter((s) => s.expiresAt > 0 && s.expiresAt <= now);
    // A failed delete is tried again at the next tick.
    let next = expired.length > 0 ? 0 : Infinity;
    for (const s of all) if (s.expiresAt > now && s.expiresAt < next) next = s.expiresAt;
    this.nextExpiry = next;
    this.ttlComputedAt = version;
    if (expired.length === 0) return;
    try {
      await Transaction.run(this.model, {}, async (tx) => {
        for (const s of expired) await tx.delete({ node: this.index.subscriptionNode, keys: [s.instance] });
      });
      this.log.info('subscriptions expired', { count: expired.length });
    } catch (e) {
      this.log.error('subscription expiry failed', { error: String(e) });
    }
  }

  private eventArgs(inst: ObjectInstance, event: string, args: Record<string, Value>): StringMap {
    const def = inst.node.events.get(event);
    const out: StringMap = {};
    for (const [k, v] of Object.entries(args)) {
      const a = def?.args.find((x) => x.name === k);
      out[k] = a ? formatValue(a, v) : String(v);
    }
    return out;
  }

  private commandOutput(o: OperationOutcome): StringMap {
    const out: StringMap = {};
    const def = this.model.schemaObject(o.objPath.replace(/\.\d+(?=\.)/g, '.{i}'))?.commands.find((c) => c.name === o.commandName);
    for (const [k, v] of Object.entries(o.output ?? {})) {
      const a = def?.output.find((x) => x.name === k);
      out[k] = a ? formatValue(a, v) : String(v);
    }
    return out;
  }
}

async function anyCovers(sub: CompiledSubscription, test: (r: CompiledSubscription['references'][number]) => Promise<boolean>): Promise<boolean> {
  for (const r of sub.references) if (await test(r)) return true;
  return false;
}
