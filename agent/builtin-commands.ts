/**
 * Commands on Device. that the agent itself implements (TR-181 Reboot:1; TP-469 uses
 * ScheduleTimer() in 1.79/1.91/1.100): the platform decides what a reboot or factory reset
 * really does; on the simulated platform the agent restarts in-process.
 */
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { CommandBinding, CommandInvocation } from '../datamodel/tree/binding.js';
import { BoundCommand } from '../datamodel/tree/bound-command.js';
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { Value } from '../datamodel/value/Value.js';

export type RestartCause = 'RemoteReboot' | 'RemoteFactoryReset';

export interface BuiltinActions {
  /** Called after the OperateResp is on its way: the agent stops and starts again. */
  restart(cause: RestartCause, commandKey: string): void;
  /** Device.Reboot(), after the OperateResp: what the platform does first (boot a chosen firmware image), then restart('RemoteReboot'). Default: the restart alone. */
  reboot?(commandKey: string): void;
}

/** BuiltinActions and a wait for what they announce: commands that restart the agent once their notifications are out. */
export interface GatewayActions extends BuiltinActions {
  /** Resolves once the notifications queued so far are matched and sent. */
  settle(): Promise<void>;
}

/** Delay before acting, so the OperateResp leaves first (TP-469 1.61). */
const RESPONSE_GRACE_MS = 100;

export function registerBuiltinCommands(model: DataModel, actions: BuiltinActions): void {
  // The gateway's actions beside functions the fleet shares (issue 14); ScheduleTimer() needs nothing of the gateway.
  model.registerCommand('Device.', 'Reboot()', new BoundCommand(actions, reboot));
  model.registerCommand('Device.', 'FactoryReset()', new BoundCommand(actions, factoryReset));
  model.registerCommand('Device.', 'ScheduleTimer()', SCHEDULE_TIMER);
  model.registerEvent('Device.', 'Boot!');
}

async function reboot(actions: BuiltinActions, call: CommandInvocation): Promise<Record<string, Value>> {
  setTimeout(() => (actions.reboot ? actions.reboot(call.commandKey) : actions.restart('RemoteReboot', call.commandKey)), RESPONSE_GRACE_MS).unref();
  return {};
}

async function factoryReset(actions: BuiltinActions, call: CommandInvocation): Promise<Record<string, Value>> {
  setTimeout(() => actions.restart('RemoteFactoryReset', call.commandKey), RESPONSE_GRACE_MS).unref();
  return {};
}

const SCHEDULE_TIMER: CommandBinding = {
  run: (call) =>
    new Promise((resolve, reject) => {
      const cancel = longTimeout(Number(call.input.DelaySeconds) * 1000, () => resolve({}));
      call.signal.addEventListener(
        'abort',
        () => {
          cancel();
          reject(new UspError(ErrorCode.CommandCanceled, 'ScheduleTimer() canceled'));
        },
        { once: true },
      );
    }),
};

/** Node fires timers longer than 2^31-1 ms at once; DelaySeconds goes up to 2^32-1 s, so re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function longTimeout(ms: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}
