/**
 * ControllerTrust.TOFUAllowed and TOFUInactivityTimer as the WebSocket server MTP asks for them
 * at every TLS handshake (mtp/websocket/tofu-handshake.ts): kept current from the change feed,
 * because a handshake cannot wait for a data-model read. One per model, however often the MTPs
 * are restarted.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { TofuPolicy } from '../../mtp/websocket/tofu-handshake.js';

const TRUST_PATH = 'Device.LocalAgent.ControllerTrust.';

class ModelTofuPolicy implements TofuPolicy {
  allowedNow = false;
  inactivitySeconds = 0;
  allowed(): boolean {
    return this.allowedNow;
  }
  inactivityMs(): number {
    return this.inactivitySeconds * 1000;
  }
}

const byModel = new WeakMap<DataModel, Promise<ModelTofuPolicy>>();

/** The model's TOFU policy, read once and then followed through the change feed. */
export function tofuPolicyOf(model: DataModel): Promise<TofuPolicy & { allowed(): boolean }> {
  let p = byModel.get(model);
  if (!p) {
    p = load(model);
    byModel.set(model, p);
  }
  return p;
}

async function load(model: DataModel): Promise<ModelTofuPolicy> {
  const policy = new ModelTofuPolicy();
  const node = model.node(TRUST_PATH);
  if (!node || !model.bindingOf(node)) return policy;
  model.changes.subscribe((c) => {
    if (c.kind !== 'value' || c.inst.node !== node) return;
    if (c.param === 'TOFUAllowed') policy.allowedNow = c.value === true;
    else if (c.param === 'TOFUInactivityTimer') policy.inactivitySeconds = Number(c.value) || 0;
  });
  const v = await model.readValues({ node, keys: [] }, {});
  policy.allowedNow = v.TOFUAllowed === true;
  policy.inactivitySeconds = Number(v.TOFUInactivityTimer ?? 0) || 0;
  return policy;
}
