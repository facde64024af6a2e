/**
 * Endpoint ID → Device.LocalAgent.Controller.{i} row, for the request context (Subscription
 * Recipient, later roles). Cached, and rebuilt only when the Controller table changes.
 */
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { ModelNode } from '../datamodel/tree/ModelNode.js';

export interface ControllerEntry { path: string; instance: number; enabled: boolean }

export class ControllerDirectory {
  private cache?: Map<string, ControllerEntry>;
  private readonly table: ModelNode;

  constructor(private readonly model: DataModel) {
    this.table = model.requireNode('Device.LocalAgent.Controller.{i}.');
    model.changes.subscribe((c) => {
      if (c.inst.node === this.table) this.cache = undefined;
    });
  }

  /** Call after changes made outside transactions (factory defaults, state load). */
  invalidate(): void { this.cache = undefined; }

  async lookup(endpointId: string): Promise<ControllerEntry | undefined> {
    if (!this.cache) this.cache = await this.build();
    return this.cache.get(endpointId);
  }

  private async build(): Promise<Map<string, ControllerEntry>> {
    const map = new Map<string, ControllerEntry>();
    for (const n of await this.model.listInstances(this.table, [], {})) {
      const v = await this.model.readValues({ node: this.table, keys: [n] }, {});
      const eid = String(v.EndpointID ?? '');
      if (eid) map.set(eid, { path: `Device.LocalAgent.Controller.${n}`, instance: n, enabled: v.Enable === true });
    }
    return map;
  }
}
