/**
 * The enabled Device.LocalAgent.Subscription.{i} rows, compiled for matching: references parsed
 * once, the recipient resolved to its controller's Endpoint ID and retry settings. Rebuilt lazily
 * after any change to the Subscription or Controller tables.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { unionRoles } from '../access/AccessControl.js';
import { parseReference, type Reference } from './reference-match.js';
import { parseTriggerConfigSettings, type TriggerAction, type TriggerSetting } from './trigger-config.js';

export type NotifType = 'ValueChange' | 'ObjectCreation' | 'ObjectDeletion' | 'OperationComplete' | 'Event';

export interface CompiledSubscription {
  instance: number;
  path: string;
  id: string;
  type: NotifType;
  references: Reference[];
  recipientEid: string;
  /** The recipient's AssignedRole, for its notify (n) rights. */
  recipientRoles: string;
  notifRetry: boolean;
  notifExpiration: number;
  persistent: boolean;
  /** Epoch ms when it expires (TimeToLive), or 0. */
  expiresAt: number;
  retryMinWaitS: number;
  retryMultiplier: number;
  /** Notify, Config (apply triggerConfig instead) or NotifyAndConfig. */
  triggerAction: TriggerAction;
  /** TriggerConfigSettings, parsed (checked when written; an unparsable stored value applies nothing). */
  triggerConfig: TriggerSetting[];
}

export class SubscriptionIndex {
  private compiled?: Promise<CompiledSubscription[]>;
  readonly subscriptionNode: ModelNode;
  readonly controllerNode: ModelNode;

  constructor(private readonly model: DataModel) {
    this.subscriptionNode = model.requireNode('Device.LocalAgent.Subscription.{i}.');
    this.controllerNode = model.requireNode('Device.LocalAgent.Controller.{i}.');
    model.changes.subscribe((c) => {
      let n: ModelNode | undefined = c.inst.node;
      while (n && n !== this.subscriptionNode && n !== this.controllerNode) n = n.parent;
      if (n) this.compiled = undefined;
    });
  }

  invalidate(): void { this.compiled = undefined; }

  all(): Promise<CompiledSubscription[]> {
    this.compiled ??= this.build();
    return this.compiled;
  }

  async ofType(type: NotifType): Promise<CompiledSubscription[]> {
    return (await this.all()).filter((s) => s.type === type);
  }

  private async build(): Promise<CompiledSubscription[]> {
    const { model } = this;
    const controllers = new Map<string, { eid: string; enabled: boolean; minWait: number; mult: number; roles: string }>();
    for (const n of await model.listInstances(this.controllerNode, [], {})) {
      const v = await model.readValues({ node: this.controllerNode, keys: [n] }, {});
      controllers.set(`Device.LocalAgent.Controller.${n}`, {
        eid: String(v.EndpointID ?? ''), enabled: v.Enable === true, roles: unionRoles(String(v.AssignedRole ?? ''), String(v.InheritedRole ?? '')),
        minWait: Number(v.USPNotifRetryMinimumWaitInterval ?? 5), mult: Number(v.USPNotifRetryIntervalMultiplier ?? 2000),
      });
    }
    const out: CompiledSubscription[] = [];
    for (const n of await model.listInstances(this.subscriptionNode, [], {})) {
      const v = await model.readValues({ node: this.subscriptionNode, keys: [n] }, {});
      const ctrl = controllers.get(String(v.Recipient ?? '').replace(/\.$/, ''));
      if (v.Enable !== true || !ctrl || !ctrl.enabled || !ctrl.eid) continue;
      const ttl = Number(v.TimeToLive ?? 0);
      const created = Date.parse(String(v.CreationDate ?? ''));
      out.push({
        instance: n,
        path: `Device.LocalAgent.Subscription.${n}.`,
        id: String(v.ID ?? ''),
        type: String(v.NotifType) as NotifType,
        references: String(v.ReferenceList ?? '').split(',').map((s) => s.trim()).filter(Boolean)
          .map(parseReference).filter((r): r is Reference => r !== undefined),
        recipientEid: ctrl.eid,
        recipientRoles: ctrl.roles,
        notifRetry: v.NotifRetry === true,
        notifExpiration: Number(v.NotifExpiration ?? 0),
        persistent: v.Persistent === true,
        expiresAt: ttl > 0 && Number.isFinite(created) ? created + ttl * 1000 : 0,
        retryMinWaitS: ctrl.minWait,
        retryMultiplier: ctrl.mult,
        triggerAction: (['Config', 'NotifyAndConfig'].includes(String(v.TriggerAction)) ? v.TriggerAction : 'Notify') as TriggerAction,
        triggerConfig: triggerSettings(String(v.TriggerConfigSettings ?? '')),
      });
    }
    return out;
  }
}

function triggerSettings(text: string): TriggerSetting[] {
  try {
    return parseTriggerConfigSettings(text);
  } catch {
    return [];
  }
}
