/**
 * Command bindings over one data model's state without a closure per command: the function that
 * runs the command is a module-level one, shared by every data model (a fleet's gateways), and the
 * binding holds only the state it runs on (issue 14: memory per gateway).
 */
import type { CommandBinding, CommandInvocation } from './binding.js';
import type { Value } from '../value/Value.js';

/** How a command runs on the state `S` of one data model. */
export type RunWith<S> = (state: S, call: CommandInvocation) => Promise<Record<string, Value>>;
/** How a command checks its input on the state `S` (CommandBinding.precheck). */
export type PrecheckWith<S> = (state: S, call: Omit<CommandInvocation, 'signal'>, given: ReadonlySet<string>) => Promise<Record<string, Value> | void>;

/** A command that runs `runWith(state, call)`. */
export class BoundCommand<S> implements CommandBinding {
  constructor(
    protected readonly state: S,
    private readonly runWith: RunWith<S>,
  ) {}

  run(call: CommandInvocation): Promise<Record<string, Value>> {
    return this.runWith(this.state, call);
  }
}

/** A command that checks its input with `precheckWith(state, ...)` (TR-369 R-OPR.5) and runs `runWith(state, call)`. */
export class BoundCheckedCommand<S> extends BoundCommand<S> {
  constructor(
    state: S,
    runWith: RunWith<S>,
    private readonly precheckWith: PrecheckWith<S>,
  ) {
    super(state, runWith);
  }

  precheck(call: Omit<CommandInvocation, 'signal'>, given: ReadonlySet<string>): Promise<Record<string, Value> | void> {
    return this.precheckWith(this.state, call, given);
  }
}
