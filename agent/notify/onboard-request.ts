/**
 * OnBoardRequest (TR-369 R-NOT.5/6/6a, USP 1.4): not a subscription type; sent with
 * send_resp=true and retried until the controller's NotifyResp arrives, never expiring.
 * Triggered by Device.LocalAgent.Controller.{i}.SendOnBoardRequest() (only for enabled
 * controllers; it also sets OnBoardingComplete=false).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { AGENT_SUPPORTED_PROTOCOL_VERSIONS } from '../handlers/handle-get-supported-protocol.js';
import type { NotificationDelivery } from './NotificationDelivery.js';

export function registerSendOnBoardRequest(model: DataModel, delivery: NotificationDelivery): void {
  const ctrl = model.requireNode('Device.LocalAgent.Controller.{i}.');
  model.registerCommand('Device.LocalAgent.Controller.{i}.', 'SendOnBoardRequest()', {
    run: async (call) => {
      const inst = { node: ctrl, keys: call.keys };
      const row = await model.readValues(inst, call.ctx);
      if (row.Enable !== true) throw new UspError(ErrorCode.CommandFailure, 'the controller is disabled');
      if (ctrl.params.has('OnBoardingComplete')) {
        await Transaction.run(model, call.ctx, (tx) => tx.set(inst, { OnBoardingComplete: false }));
      }
      await sendOnBoardRequest(model, delivery, String(row.EndpointID), {
        minWaitS: Number(row.USPNotifRetryMinimumWaitInterval ?? 5), multiplier: Number(row.USPNotifRetryIntervalMultiplier ?? 2000),
      });
      return {};
    },
  });
}

export async function sendOnBoardRequest(model: DataModel, delivery: NotificationDelivery, to: string, retry: { minWaitS: number; multiplier: number }): Promise<void> {
  const di = model.node('Device.DeviceInfo.');
  const info = di?.supported ? await model.readValues({ node: di, keys: [] }, {}) : {};
  delivery.send(to, {
    subscriptionId: '',
    sendResp: true,
    notification: 'onBoardReq',
    onBoardReq: {
      oui: String(info.ManufacturerOUI ?? ''),
      productClass: String(info.ProductClass ?? ''),
      serialNumber: String(info.SerialNumber ?? ''),
      agentSupportedProtocolVersions: AGENT_SUPPORTED_PROTOCOL_VERSIONS,
    },
  }, { retry: true, expirationS: 0, retryMinWaitS: retry.minWaitS, retryMultiplier: retry.multiplier });
}

/** After a factory reset every enabled controller is asked to on-board the agent again (R-NOT.5). */
export async function onBoardAllControllers(model: DataModel, delivery: NotificationDelivery): Promise<number> {
  const ctrl = model.requireNode('Device.LocalAgent.Controller.{i}.');
  let sent = 0;
  for (const n of await model.listInstances(ctrl, [], {})) {
    const row = await model.readValues({ node: ctrl, keys: [n] }, {});
    if (row.Enable !== true || !row.EndpointID) continue;
    await sendOnBoardRequest(model, delivery, String(row.EndpointID), {
      minWaitS: Number(row.USPNotifRetryMinimumWaitInterval ?? 5), multiplier: Number(row.USPNotifRetryIntervalMultiplier ?? 2000),
    });
    sent++;
  }
  return sent;
}
