/**
 * Which MTP kinds a committed data-model change concerns (see mtp-kinds.ts for the configuring
 * objects). Decided after the debounce, against the configuration as it is then: an MTP row's
 * Protocol says whether its Enable or WebSocket.Port concerns the WebSocket kinds or MQTT. What
 * can no longer be read (a deleted row, a Protocol that changed from something unknown) concerns
 * every kind that watches the object, so a stale MTP is never left running.
 */
import type { Change } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ConfigSource, MtpKind, MtpProtocol } from './mtp-kinds.js';
import type { StartedTransport } from './TransportDeps.js';

const AGENT_MTP = 'Device.LocalAgent.MTP.{i}.';
const CONTROLLER_MTP = 'Device.LocalAgent.Controller.{i}.MTP.{i}.';

/** The objects (supported paths) some kind watches: a cheap first filter on the change feed. */
export function watchedPaths(kinds: readonly MtpKind[]): Set<string> {
  return new Set(kinds.flatMap((k) => k.sources.map((s) => s.path)));
}

/** The kinds (a subset of `kinds`) that `changes` concern. */
export async function kindsConcerned(model: DataModel, kinds: readonly MtpKind[], changes: readonly Change[], running: readonly StartedTransport[]): Promise<Set<MtpKind>> {
  const out = new Set<MtpKind>();
  for (const change of changes) {
    for (const kind of kinds) {
      if (out.has(kind)) continue;
      if (await concerns(model, kind, change, running)) out.add(kind);
    }
    if (out.size === kinds.length) break;
  }
  return out;
}

/**
 * Whether `change` may concern some kind, decided without reading the model: a configuring
 * object, and for a value a parameter that configures. The change feed is filtered with this, so
 * a burst of Sets of other parameters of a watched object (Controller.{i}.ProvisioningCode) is
 * not even collected.
 */
export function mayConcern(kinds: readonly MtpKind[], change: Change, running: readonly StartedTransport[]): boolean {
  return kinds.some((k) => sourceFor(k, change, running) !== undefined);
}

/** The kind's configuring source `change` touches in a way that matters, if any. */
function sourceFor(kind: MtpKind, change: Change, running: readonly StartedTransport[]): ConfigSource | undefined {
  if (change.kind === 'event') return undefined;
  const source = kind.sources.find((s) => s.path === change.inst.node.supportedPath);
  if (!source || change.kind !== 'value') return source;
  const { param } = change;
  const matters = source.params ? source.params.includes(param) : change.inst.node.params.get(param)?.access === 'readWrite';
  return matters && !kind.inEffect?.(change.path, param, change.value, running) ? source : undefined;
}

async function concerns(model: DataModel, kind: MtpKind, change: Change, running: readonly StartedTransport[]): Promise<boolean> {
  const source = sourceFor(kind, change, running);
  if (!source) return false;
  // The Protocol it had before is not known here: the old kind and the new one both look again.
  if (change.kind === 'value' && change.param === 'Protocol') return true;
  // A deleted row took its Protocol with it.
  if (change.kind === 'deleted') return true;
  return protocolMatches(model, source, change.inst.keys, kind.protocol);
}

/** Whether the MTP row(s) `source` names for these instance keys use `protocol`; true when unreadable. */
async function protocolMatches(model: DataModel, source: ConfigSource, keys: readonly number[], protocol: MtpProtocol): Promise<boolean> {
  try {
    switch (source.protocolOf) {
      case undefined:
        return true;
      case 'agentRow':
        return matchesOrGone(await protocolOfRow(model, AGENT_MTP, keys.slice(0, 1)), protocol);
      case 'controllerRow':
        return matchesOrGone(await protocolOfRow(model, CONTROLLER_MTP, keys.slice(0, 2)), protocol);
      case 'controllerRows': {
        const table = model.requireNode(CONTROLLER_MTP);
        for (const j of await model.listInstances(table, keys.slice(0, 1), {})) {
          if (matchesOrGone(await protocolOfRow(model, CONTROLLER_MTP, [keys[0], j]), protocol)) return true;
        }
        return false;
      }
    }
  } catch {
    // Unreadable is treated like gone: restarting from the configuration is always safe.
    return true;
  }
}

function matchesOrGone(rowProtocol: string | undefined, protocol: MtpProtocol): boolean {
  return rowProtocol === undefined || rowProtocol === protocol;
}

/** The row's Protocol; undefined when the row no longer exists. */
async function protocolOfRow(model: DataModel, path: string, keys: readonly number[]): Promise<string | undefined> {
  const inst = { node: model.requireNode(path), keys };
  if (!(await model.exists(inst, {}))) return undefined;
  return String((await model.readValues(inst, {})).Protocol ?? '');
}
