/**
 * Runs USP commands (TR-369 §"Operate", R-OPR.*). Synchronous commands answer in the
 * OperateResp; asynchronous ones get a Device.LocalAgent.Request.{i} row that lives while the
 * command runs, can be cancelled with Request.{i}.Cancel() (7023), and end with an
 * OperationComplete for subscribers. The number of commands running at once is bounded.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { CommandBinding, RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';

export const DEFAULT_MAX_ASYNC_OPERATIONS = 64;

/** How an async command ended, for the OperationComplete notification. */
export interface OperationOutcome {
  /** Object path the command ran on, e.g. "Device.". */
  objPath: string;
  commandName: string;
  commandKey: string;
  /** Endpoint ID of the controller that asked. */
  originator: string;
  /** The object the command ran on. */
  inst?: ObjectInstance;
  output?: Record<string, Value>;
  failure?: { code: ErrorCode; message: string };
}

export type OperationListener = (o: OperationOutcome) => void;

/** A listener that is an object (the subscription engine): its method is one copy for a fleet, where a function is a closure per gateway (issue 14). */
export interface OperationObserver {
  operationCompleted(o: OperationOutcome): void;
}

interface Running {
  abort: AbortController;
  status: 'Active' | 'Canceling';
}

export class OperationRunner {
  /** Request rows are volatile: empty after every restart (TR-181 Request table). */
  private readonly requests = new DataStore();
  private get running(): Map<number, Running> {
    return (this.runningOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private runningOf?: Map<number, Running>;
  private get listeners(): Set<OperationListener> {
    return (this.listenersOf ??= new Set());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Set costs ~180 bytes. */
  private listenersOf?: Set<OperationListener>;
  private readonly requestNode: ModelNode;

  constructor(
    private readonly model: DataModel,
    private readonly log: Logger,
    private readonly maxAsync = DEFAULT_MAX_ASYNC_OPERATIONS,
  ) {
    this.requestNode = registerStored(model, this.requests, 'Device.LocalAgent.Request.{i}.', {
      params: ['Alias', 'Originator', 'Command', 'CommandKey', 'Status'],
      commands: {
        'Cancel()': {
          run: async (call) => {
            this.cancel(call.keys[0]);
            return {};
          },
        },
      },
    });
  }

  /** Tells `o` of every completion from now on; one observer per runner (the agent's subscription engine), kept in a field, not a Set. */
  observeCompletions(o: OperationObserver): void {
    this.observer = o;
  }
  private observer?: OperationObserver;

  onComplete(l: OperationListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Runs a synchronous command to its end. */
  async runSync(binding: CommandBinding, inst: ObjectInstance, input: Record<string, Value>, commandKey: string, ctx: RequestContext): Promise<Record<string, Value>> {
    return binding.run({ keys: inst.keys, objectPath: inst.node.pathOf(inst.keys), input, commandKey, ctx, signal: new AbortController().signal });
  }

  /**
   * Starts an asynchronous command and returns its Request path at once; the command runs on,
   * and its end is reported to the onComplete listeners.
   */
  startAsync(binding: CommandBinding, inst: ObjectInstance, commandName: string, input: Record<string, Value>, commandKey: string, ctx: RequestContext): string {
    if (this.running.size >= this.maxAsync) {
      throw new UspError(ErrorCode.ResourcesExceeded, `too many commands running (${this.maxAsync})`);
    }
    const objPath = inst.node.pathOf(inst.keys);
    // A stored binding over an in-memory DataStore answers synchronously: add() returns the
    // number itself and set()/delete() are done on return (nothing to await or catch).
    const b = this.model.bindingOf(this.requestNode)!;
    const n = b.add!(
      [],
      {
        Originator: ctx.controllerId ?? '',
        Command: objPath + commandName,
        CommandKey: commandKey,
        Status: 'Active',
      },
      ctx,
    ) as number;
    void b.set!([n], { Alias: `cpe-${n}` }, ctx);
    const reqInst = { node: this.requestNode, keys: [n] };
    const reqPath = this.requestNode.pathOf([n]);
    this.model.changes.emit({ kind: 'created', inst: reqInst, path: reqPath });
    const abort = new AbortController();
    this.running.set(n, { abort, status: 'Active' });
    const outcome: OperationOutcome = { objPath, commandName, commandKey, originator: ctx.controllerId ?? '', inst };
    void binding
      .run({ keys: inst.keys, objectPath: objPath, input, commandKey, ctx, signal: abort.signal })
      .then((output) => {
        if (abort.signal.aborted) throw new UspError(ErrorCode.CommandCanceled, 'command canceled');
        outcome.output = output;
      })
      .catch((e: unknown) => {
        const u = abort.signal.aborted ? new UspError(ErrorCode.CommandCanceled, 'command canceled') : toUspError(e);
        outcome.failure = { code: u.code, message: u.message };
      })
      .finally(() => {
        this.running.delete(n);
        void b.delete!([n], ctx);
        this.model.changes.emit({ kind: 'deleted', inst: reqInst, path: reqPath });
        try {
          this.observer?.operationCompleted(outcome);
        } catch (e) {
          this.log.error('operation listener failed', { error: String(e) });
        }
        for (const l of this.listenersOf ?? []) {
          try {
            l(outcome);
          } catch (e) {
            this.log.error('operation listener failed', { error: String(e) });
          }
        }
      });
    return reqPath;
  }

  /** Request.{i}.Cancel(): the command sees its AbortSignal fire; OperationComplete says 7023. */
  cancel(n: number): void {
    const r = this.running.get(n);
    if (!r) throw new UspError(ErrorCode.CommandFailure, `request ${n} is not running`);
    r.status = 'Canceling';
    void this.model.bindingOf(this.requestNode)!.set!([n], { Status: 'Canceling' }, {});
    r.abort.abort();
  }

  /** Cancels everything (agent stop). */
  cancelAll(): void {
    for (const r of this.running.values()) r.abort.abort();
  }
}
