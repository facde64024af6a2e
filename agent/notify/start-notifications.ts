/**
 * Wires the notification side of the agent: delivery (queues, retries), the subscription engine,
 * the value poller, Periodic!, SendOnBoardRequest(), and the start-up clean-up TR-181 asks for
 * (non-persistent subscriptions do not survive a restart).
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import type { OperationRunner } from '../operate/OperationRunner.js';
import { NotificationDelivery, type NotificationRoute } from './NotificationDelivery.js';
import { OnBoarding, registerSendOnBoardRequest } from './onboard-request.js';
import { PeriodicNotifier } from './PeriodicNotifier.js';
import { SubscriptionEngine, type RecipientRights } from './SubscriptionEngine.js';
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
  route: NotificationRoute,
  log: Logger,
  opts: { pollIntervalMs?: number; rights?: RecipientRights } = {},
): Notifications {
  const delivery = new NotificationDelivery(route, log);
  const index = new SubscriptionIndex(model);
  // Sources that poll for rows that came or went (the simulated churn) rest while no Subscription wants that news.
  model.changes.wantsObjectChanges = () => index.mayHave(OBJECT_CHANGES);
  const engine = new SubscriptionEngine(model, index, delivery, operations, log, opts.rights);
  const poller = new ValuePoller(model, index, engine, log, opts.pollIntervalMs);
  const periodic = new PeriodicNotifier(model, index, engine);
  const onBoarding = new OnBoarding(model, delivery, log);
  registerSendOnBoardRequest(model, onBoarding);
  return new NotificationParts(delivery, engine, poller, onBoarding, periodic);
}

/** The parts, started and stopped in order; a class so its methods are one copy for a fleet. */
class NotificationParts implements Notifications {
  constructor(
    readonly delivery: NotificationDelivery,
    readonly engine: SubscriptionEngine,
    readonly poller: ValuePoller,
    readonly onBoarding: OnBoarding,
    private readonly periodic: PeriodicNotifier,
  ) {}

  start(): void {
    this.delivery.start();
    this.engine.start();
    this.poller.start();
    this.periodic.start();
  }

  stop(): void {
    this.onBoarding.stop();
    this.periodic.stop();
    this.poller.stop();
    this.engine.stop();
    this.delivery.stop();
  }
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
