/**
 * OnBoardRequest (TR-369 R-NOT.5/6/6a, USP 1.4): not a subscription type; sent with
 * send_resp=true and retried until the controller's NotifyResp arrives, never expiring.
 * Triggered by Device.LocalAgent.Controller.{i}.SendOnBoardRequest() (only for enabled
 * controllers; it also sets OnBoardingComplete=false) and after a factory reset.
 *
 * Restart (TR-181 Controller.{i}.OnBoardingRestartTime, TP-469 1.102/1.103): once the NotifyResp
 * for an OnBoardRequest arrives, while that controller's OnBoardingComplete stays false, the
 * agent sends the next OnBoardRequest OnBoardingRestartTime seconds later; 0 means never. Setting
 * OnBoardingComplete to true (or disabling or deleting the controller) cancels the timer.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { AGENT_SUPPORTED_PROTOCOL_VERSIONS } from '../handlers/handle-get-supported-protocol.js';
import type { NotificationDelivery } from './NotificationDelivery.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';

const CONTROLLER = 'Device.LocalAgent.Controller.{i}.';

/** Sends OnBoardRequests and restarts them by OnBoardingRestartTime; one timer per Controller row at most. */
export class OnBoarding implements ChangeObserver {
  private readonly ctrl: ModelNode;
  /** Controller instance number → the pending restart. */
  private get restarts(): Map<number, NodeJS.Timeout> {
    return (this.restartsOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private restartsOf?: Map<number, NodeJS.Timeout>;

  constructor(
    private readonly model: DataModel,
    private readonly delivery: NotificationDelivery,
    private readonly log: Logger,
  ) {
    this.ctrl = model.requireNode(CONTROLLER);
    model.changes.observe(this);
  }

  /** The change feed's observer method (ChangeFeed.observe: no closure per gateway). */
  modelChanged(c: Change): void {
    if (c.inst.node !== this.ctrl) return;
    const n = c.inst.keys[0];
    if (c.kind === 'deleted') this.cancel(n);
    else if (c.kind === 'value' && ((c.param === 'OnBoardingComplete' && c.value === true) || (c.param === 'Enable' && c.value === false))) this.cancel(n);
  }

  /** Sends an OnBoardRequest to Controller.{n} (its row must name an Endpoint ID). */
  async send(n: number): Promise<void> {
    const row = await this.model.readValues({ node: this.ctrl, keys: [n] }, {});
    const di = this.model.node('Device.DeviceInfo.');
    const info = di?.supported ? await this.model.readValues({ node: di, keys: [] }, {}) : {};
    this.cancel(n);
    this.delivery.send(
      String(row.EndpointID),
      {
        subscriptionId: '',
        sendResp: true,
        notification: 'onBoardReq',
        onBoardReq: {
          oui: String(info.ManufacturerOUI ?? ''),
          productClass: String(info.ProductClass ?? ''),
          serialNumber: String(info.SerialNumber ?? ''),
          agentSupportedProtocolVersions: AGENT_SUPPORTED_PROTOCOL_VERSIONS,
        },
      },
      {
        retry: true,
        expirationS: 0,
        retryMinWaitS: Number(row.USPNotifRetryMinimumWaitInterval ?? 5),
        retryMultiplier: Number(row.USPNotifRetryIntervalMultiplier ?? 2000),
        onAcked: () => {
          this.scheduleRestart(n).catch((e: unknown) => this.failed(n, e));
        },
      },
    );
  }

  /** After a factory reset every enabled controller is asked to on-board the agent again (R-NOT.5). */
  async sendToAll(): Promise<number> {
    let sent = 0;
    for (const n of await this.model.listInstances(this.ctrl, [], {})) {
      const row = await this.model.readValues({ node: this.ctrl, keys: [n] }, {});
      if (row.Enable !== true || !row.EndpointID) continue;
      await this.send(n);
      sent++;
    }
    return sent;
  }

  stop(): void {
    this.model.changes.unobserve(this);
    for (const n of [...this.restarts.keys()]) this.cancel(n);
  }

  /** The NotifyResp arrived: the next OnBoardRequest goes OnBoardingRestartTime s later, if still wanted then. */
  private async scheduleRestart(n: number): Promise<void> {
    const row = await this.onBoardingRow(n);
    const seconds = Number(row?.OnBoardingRestartTime ?? 0);
    if (!row || !(seconds > 0)) return;
    this.cancel(n);
    this.restarts.set(
      n,
      setTimeout(() => {
        this.restarts.delete(n);
        // Looked at again when due: OnBoardingComplete may have become true meanwhile.
        this.onBoardingRow(n)
          .then((now) => (now ? this.send(n) : undefined))
          .catch((e: unknown) => this.failed(n, e));
      }, seconds * 1000).unref(),
    );
  }

  /** Controller.{n}'s values while it still wants on-boarding (exists, enabled, not complete), else undefined. */
  private async onBoardingRow(n: number): Promise<Record<string, unknown> | undefined> {
    if (!(await this.model.exists({ node: this.ctrl, keys: [n] }, {}))) return undefined;
    const row = await this.model.readValues({ node: this.ctrl, keys: [n] }, {});
    return row.Enable === true && row.EndpointID && row.OnBoardingComplete !== true ? row : undefined;
  }

  private failed(n: number, e: unknown): void {
    this.log.error('OnBoardRequest restart failed', { controller: n, error: e instanceof Error ? e.message : String(e) });
  }

  private cancel(n: number): void {
    const t = this.restarts.get(n);
    if (t) clearTimeout(t);
    this.restarts.delete(n);
  }
}

/** Device.LocalAgent.Controller.{i}.SendOnBoardRequest() (TR-181 Controllers:1). */
export function registerSendOnBoardRequest(model: DataModel, onBoarding: OnBoarding): void {
  const ctrl = model.requireNode(CONTROLLER);
  model.registerCommand(CONTROLLER, 'SendOnBoardRequest()', {
    run: async (call) => {
      const inst = { node: ctrl, keys: call.keys };
      const row = await model.readValues(inst, call.ctx);
      if (row.Enable !== true) throw new UspError(ErrorCode.CommandFailure, 'the controller is disabled');
      if (ctrl.params.has('OnBoardingComplete')) {
        await Transaction.run(model, call.ctx, (tx) => tx.set(inst, { OnBoardingComplete: false }));
      }
      await onBoarding.send(call.keys[0]);
      return {};
    },
  });
}
