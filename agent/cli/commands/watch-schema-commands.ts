/**
 * `watch` (notifications from the running agent, through its control socket) and `schema`
 * (offline, from the committed TR-181 schema). Implementations load only when one runs.
 */
import type { Argv } from 'yargs';
import { connectionArgs, guarded, withConnectionOptions } from './connection-options.js';

/** Adds `watch` and `schema`. */
export function watchAndSchemaCommands<T>(y: Argv<T>): Argv<T> {
  return y
    .command(
      'watch <paths..>',
      'print ValueChange, ObjectCreation, ObjectDeletion and Event notifications until Ctrl-C',
      (c) =>
        withConnectionOptions(c)
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'parameter, object (table: rows added/deleted too) or event (Boot!) paths' })
          .example('$0 watch Device.LocalAgent.Subscription. Device.Boot! --data-dir /var/lib/usp-agent', 'rows added/removed/changed, and boots'),
      (a) =>
        guarded(async () => {
          const { runWatch } = await import('../watch.js');
          await runWatch({ ...connectionArgs(a), paths: a.paths as string[] });
        }),
    )
    .command(
      'schema <paths..>',
      'describe paths from the TR-181 schema, offline ({i}, instance numbers and * accepted)',
      (c) =>
        c
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'object, parameter, command() or event! paths' })
          .option('json', { type: 'boolean', default: false, describe: 'print the schema entry as JSON' })
          .example('$0 schema Device.WiFi.Radio.1.Channel', 'type, access, range, default of a parameter')
          .example("$0 schema 'Device.LocalAgent.Controller.{i}.'", 'parameters, commands, events of an object'),
      (a) =>
        guarded(async () => {
          const { runSchema } = await import('../schema-describe.js');
          runSchema({ paths: a.paths as string[], json: a.json });
        }),
    );
}
