/**
 * `get`, `set`, `add`, `delete`, `operate`, `instances` and `supported`: one USP request each
 * (TR-369 Get, Set, Add, Delete, Operate, GetInstances, GetSupportedDM) sent to the agent running
 * on --data-dir. The implementation (agent/cli/requests.ts) is loaded only when one runs, so the
 * agent's own start (`run`) does not pay for it.
 */
import type { Argv } from 'yargs';
import { connectionArgs, guarded, withConnectionOptions } from './connection-options.js';

const requests = (): Promise<typeof import('../requests.js')> => import('../requests.js');
const D = '--data-dir /var/lib/usp-agent';

/** Adds the seven data-model commands. */
export function dataCommands<T>(y: Argv<T>): Argv<T> {
  return y
    .command(
      'get <paths..>',
      'read parameters (USP Get): paths may use instance numbers, * and [search]',
      (c) =>
        withConnectionOptions(c)
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'parameter or object paths' })
          .option('max-depth', { type: 'number', default: 0, describe: 'levels below each object path (0: all)' })
          .example(`$0 get Device.DeviceInfo. ${D}`, 'every parameter under Device.DeviceInfo.')
          .example(`$0 get 'Device.WiFi.Radio.*.Channel' ${D} --json`, 'the channel of each radio, as JSON'),
      (a) =>
        guarded(async () => {
          const { runRequest } = await requests();
          await runRequest(connectionArgs(a), { reqType: 'get', get: { paramPaths: a.paths as string[], maxDepth: a['max-depth'] } });
        }),
    )
    .command(
      'set <assignments..>',
      'change parameters (USP Set, all or nothing): PATH=VALUE...',
      (c) =>
        withConnectionOptions(c)
          .positional('assignments', { type: 'string', array: true, demandOption: true, describe: 'PATH=VALUE; values are checked against the schema first' })
          .option('allow-partial', { type: 'boolean', default: false, describe: 'apply what can be applied when some objects fail' })
          .example(`$0 set Device.LocalAgent.MTP.1.WebSocket.KeepAliveInterval=45 ${D}`, 'one parameter'),
      (a) =>
        guarded(async () => {
          const { runRequest, setRequest } = await requests();
          await runRequest(connectionArgs(a), setRequest(a.assignments as string[], a['allow-partial']));
        }),
    )
    .command(
      'add <object> [settings..]',
      'create a row in a table (USP Add): OBJECT. [NAME=VALUE...]',
      (c) =>
        withConnectionOptions(c)
          .positional('object', { type: 'string', demandOption: true, describe: 'table path, e.g. Device.LocalAgent.Subscription.' })
          .positional('settings', { type: 'string', array: true, default: [], describe: 'NAME=VALUE for parameters of the new row' })
          .example(`$0 add Device.LocalAgent.Subscription. ID=mine NotifType=ValueChange ReferenceList=Device.DeviceInfo.HostName ${D}`, 'a Subscription row'),
      (a) =>
        guarded(async () => {
          const { runRequest, addRequest } = await requests();
          await runRequest(connectionArgs(a), addRequest(a.object, a.settings as string[]));
        }),
    )
    .command(
      'delete <objects..>',
      'delete rows (USP Delete)',
      (c) =>
        withConnectionOptions(c)
          .positional('objects', { type: 'string', array: true, demandOption: true, describe: 'row paths, e.g. Device.LocalAgent.Subscription.3.' })
          .option('allow-partial', { type: 'boolean', default: false, describe: 'delete what can be deleted when some paths fail' })
          .example(`$0 delete Device.LocalAgent.Subscription.3. ${D}`, 'one row'),
      (a) =>
        guarded(async () => {
          const { runRequest } = await requests();
          await runRequest(connectionArgs(a), { reqType: 'delete', delete: { allowPartial: a['allow-partial'], objPaths: a.objects as string[] } });
        }),
    )
    .command(
      'operate <command> [args..]',
      'run a command (USP Operate): COMMAND() [ARG=VALUE...]',
      (c) =>
        withConnectionOptions(c)
          .positional('command', { type: 'string', demandOption: true, describe: 'command path, e.g. Device.IP.Diagnostics.IPPing()' })
          .positional('args', { type: 'string', array: true, default: [], describe: 'input arguments NAME=VALUE' })
          .option('command-key', { type: 'string', describe: 'CommandKey of the run (default: usp-agent-cli-<pid>)' })
          .option('wait', { type: 'boolean', default: true, describe: 'for an asynchronous command, wait for its OperationComplete and print the output (--no-wait: print the Request path)' })
          .example(`$0 operate 'Device.LocalAgent.Controller.1.SendOnBoardRequest()' ${D}`, 'a synchronous command')
          .example(`$0 operate 'Device.ScheduleTimer()' DelaySeconds=2 ${D}`, 'an asynchronous one: waits until it completes'),
      (a) =>
        guarded(async () => {
          const { runRequest, operateRequest } = await requests();
          const req = operateRequest(a.command, a.args as string[], a['command-key'] ?? `usp-agent-cli-${process.pid}`);
          if (!a.wait) return runRequest(connectionArgs(a), req);
          const { runOperateAndWait } = await import('../operate.js');
          await runOperateAndWait(connectionArgs(a), req);
        }),
    )
    .command(
      'instances <objects..>',
      'list the rows of tables (USP GetInstances) with their unique keys',
      (c) =>
        withConnectionOptions(c)
          .positional('objects', { type: 'string', array: true, demandOption: true, describe: 'object paths, e.g. Device.WiFi.' })
          .option('first-level', { type: 'boolean', default: false, describe: 'only the tables directly under each path' })
          .example(`$0 instances Device.LocalAgent. ${D}`, 'every row under Device.LocalAgent.'),
      (a) =>
        guarded(async () => {
          const { runRequest } = await requests();
          await runRequest(connectionArgs(a), { reqType: 'getInstances', getInstances: { objPaths: a.objects as string[], firstLevelOnly: a['first-level'] } });
        }),
    )
    .command(
      'supported <objects..>',
      'what the running agent supports (USP GetSupportedDM)',
      (c) =>
        withConnectionOptions(c)
          .positional('objects', { type: 'string', array: true, demandOption: true, describe: 'object paths, e.g. Device.DeviceInfo.' })
          .option('first-level', { type: 'boolean', default: false, describe: 'only each object and its direct children' })
          .example(`$0 supported Device.DeviceInfo. --first-level ${D}`, 'one object, its parameters, commands and events'),
      (a) =>
        guarded(async () => {
          const { runRequest } = await requests();
          await runRequest(connectionArgs(a), {
            reqType: 'getSupportedDm',
            getSupportedDm: { objPaths: a.objects as string[], firstLevelOnly: a['first-level'], returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true },
          });
        }),
    );
}
