/**
 * `usp-agent watch PATH...`: subscribes as the local controller (TR-181
 * Device.LocalAgent.Subscription.{i}, non-persistent) and prints each ValueChange,
 * ObjectCreation, ObjectDeletion and Event Notify (TR-369 §"Notifications") until SIGINT/SIGTERM,
 * then deletes its Subscription rows and exits 0.
 */
import { Schema } from '../../datamodel/schema/Schema.js';
import type { Request } from '../codec/types.js';
import { CliError, EXIT_OK, EXIT_UNREACHABLE, EXIT_USP_ERROR } from './cli-error.js';
import { ControlClient, type Answer } from './control-client.js';
import { errorLine, notificationLine } from './format-response.js';
import type { ConnectionArgs } from './requests.js';
import { supportedPathOf } from './schema-paths.js';

type NotifType = 'ValueChange' | 'ObjectCreation' | 'ObjectDeletion' | 'Event';

/**
 * Which notification types a path asks for: an event (`Boot!`) its Event; a parameter its
 * ValueChange; an object its parameters' ValueChange and, for a table, row creation and deletion.
 */
export function notifTypesFor(path: string, schema: Schema): NotifType[] {
  if (path.endsWith('!')) return ['Event'];
  if (!path.endsWith('.')) return ['ValueChange'];
  const supported = supportedPathOf(path);
  const table = !supported.endsWith('{i}.') && schema.getObject(`${supported}{i}.`)?.multi === true;
  return table ? ['ValueChange', 'ObjectCreation', 'ObjectDeletion'] : ['ValueChange'];
}

/** Subscribes, prints notifications until a signal, unsubscribes. Resolves when done (exit code set). */
export async function runWatch(args: ConnectionArgs & { paths: string[] }): Promise<void> {
  const schema = Schema.load();
  const byType = new Map<NotifType, string[]>();
  for (const p of args.paths) for (const t of notifTypesFor(p, schema)) byType.set(t, [...(byType.get(t) ?? []), p]);

  const client = await ControlClient.connect(args.dataDir);
  const timeoutMs = args.timeout * 1000;
  const ids = new Set<string>();
  const rows: string[] = [];
  let finished!: () => void;
  const done = new Promise<void>((r) => {
    finished = r;
  });
  // Each watch sees every Notify sent to the local controller; it prints those of its own rows.
  client.onNotify = (n) => {
    if (!ids.has(n.subscriptionId)) return;
    process.stdout.write(`${args.json ? JSON.stringify(n) : notificationLine(n)}\n`);
  };
  client.onClose = (why) => {
    process.stderr.write(`usp-agent: the agent closed the connection (${why}); stopped watching\n`);
    process.exitCode = EXIT_UNREACHABLE;
    finished();
  };

  const unsubscribe = async (): Promise<void> => {
    if (rows.length === 0) return;
    const req: Request = { reqType: 'delete', delete: { allowPartial: true, objPaths: rows.splice(0) } };
    await client.request(req, timeoutMs).catch(() => undefined);
  };

  try {
    for (const [type, paths] of byType) {
      const id = `usp-agent-watch-${process.pid}-${type}`;
      const answer = await client.request(
        {
          reqType: 'add',
          add: {
            allowPartial: false,
            createObjs: [
              {
                objPath: 'Device.LocalAgent.Subscription.',
                paramSettings: [
                  { param: 'ID', value: id, required: true },
                  { param: 'Enable', value: 'true', required: true },
                  { param: 'Persistent', value: 'false', required: true },
                  { param: 'NotifType', value: type, required: true },
                  { param: 'ReferenceList', value: paths.join(','), required: true },
                ],
              },
            ],
          },
        },
        timeoutMs,
      );
      const outcome = addOutcome(answer);
      if ('failure' in outcome) throw new CliError(EXIT_USP_ERROR, `${type} subscription to ${paths.join(',')} refused: ${outcome.failure}`);
      ids.add(id);
      rows.push(outcome.path);
    }
  } catch (e) {
    await unsubscribe();
    client.close();
    throw e;
  }

  const stop = (): void => {
    void unsubscribe().finally(() => {
      process.exitCode = EXIT_OK;
      finished();
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stderr.write(`usp-agent: watching ${[...byType].map(([t, p]) => `${t} ${p.join(',')}`).join('; ')} (subscriptions ${rows.join(', ')}); Ctrl-C to stop\n`);
  await done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  client.close();
}

/** The row an Add of a Subscription made, or why it failed. */
function addOutcome(answer: Answer): { path: string } | { failure: string } {
  if (answer.kind === 'error') return { failure: errorLine(answer.error.errCode, answer.error.errMsg) };
  const r = answer.response;
  if (r.respType !== 'addResp') return { failure: `unexpected ${r.respType}` };
  const s = r.addResp.createdObjResults[0]?.operStatus;
  if (!s) return { failure: 'empty AddResp' };
  return s.operStatus === 'operFailure' ? { failure: errorLine(s.operFailure.errCode, s.operFailure.errMsg) } : { path: s.operSuccess.instantiatedPath };
}
