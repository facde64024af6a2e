/**
 * Wires the notification side of the agent: delivery (queues, retries), the subscription engine,
 * the value poller, Periodic!, SendOnBoardRequest(), and the start-up clean-up TR-181 asks for
 * (non-persistent subscriptions do not survive a restart).
 */
import type { AccessView } from '../../datamodel/access/AccessView.js';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import type { OperationRunner } from '../operate/OperationRunner.js';
import { NotificationDelivery, type ControllerLinks } from './NotificationDelivery.js';
import { OnBoarding, registerSendOnBoardRequest } from './onboard-request.js';
import { PeriodicNotifier } from './PeriodicNotifier.js';
import { SubscriptionEngine } from './SubscriptionEngine.js';
import { SubscriptionIndex } from './SubscriptionIndex.js';

const OBJECT_CHANGES = ['ObjectCreation', 'ObjectDeletion'] as const;
import { ValuePoller } from './ValuePoller.js';

export interface Notifications {
  delivery: NotificationDelivery;
  engine: SubscriptionEngine;
  poller: ValuePoller;
  /** OnBoardRequests and their OnBoardingRestartTime restarts. */
  onBoarding: OnBoarding;
  /** Starts matching and sending; call once the MTPs are up. */
  start(): void;
  stop(): void;
}

/** Registers the notification objects; call before the factory defaults are applied. */
export function registerNotificationObjects(model: DataModel): void {
  model.registerEvent('Device.LocalAgent.', 'Periodic!');
}

export function createNotifications(
  model: DataModel,
  operations: OperationRunner,
  links: () => readonly ControllerLinks[],
  endpointId: () => string,
  log: Logger,
  opts: { pollIntervalMs?: number; accessFor?: (roles: string) => Promise<AccessView> } = {},
): Notifications {
  const delivery = new NotificationDelivery(links, endpointId, log);
  const index = new SubscriptionIndex(model);
  // Sources that poll for rows that came or went (the simulated churn) rest while no Subscription wants that news.
  model.changes.wantsObjectChanges = () => index.mayHave(OBJECT_CHANGES);
  const engine = new SubscriptionEngine(model, index, delivery, operations, log, opts.accessFor);
  const poller = new ValuePoller(model, index, engine, log, opts.pollIntervalMs);
  const periodic = new PeriodicNotifier(model, index, engine);
  const onBoarding = new OnBoarding(model, delivery, log);
  registerSendOnBoardRequest(model, onBoarding);
  return {
    delivery,
    engine,
    poller,
    onBoarding,
    start() {
      delivery.start();
      engine.start();
      poller.start();
      periodic.start();
    },
    stop() {
      onBoarding.stop();
      periodic.stop();
      poller.stop();
      engine.stop();
      delivery.stop();
    },
  };
}

/** Subscription rows with Persistent=false are removed at every start (TR-181 Subscription.Persistent). */
export async function dropNonPersistentSubscriptions(model: DataModel, log: Logger): Promise<void> {
  const node = model.requireNode('Device.LocalAgent.Subscription.{i}.');
  let n = 0;
  await Transaction.run(model, {}, async (tx) => {
    for (const i of await model.listInstances(node, [], {})) {
      if ((await model.readValues({ node, keys: [i] }, {})).Persistent !== true) {
        await tx.delete({ node, keys: [i] });
        n++;
      }
    }
  });
  if (n > 0) log.info('non-persistent subscriptions removed at start', { count: n });
}
