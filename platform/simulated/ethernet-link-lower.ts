/**
 * What a Device.Ethernet.Link.{i} a Controller adds on the simulated gateway reads from the layer
 * below it (TR-181 EthernetLink:1 createDelete): its LowerLayers names one Ethernet.Interface or
 * one Bridging.Bridge.{i}.Port.{i}, and the Link's Status, LastChange and MACAddress follow that
 * row, read through the data model as a Controller would read it (so a bridge or port a
 * Controller added or changed counts as it is now). The MAC address is the first one found down
 * the stack: a port's own, or for a bridge port the interface under it, or for a management port
 * that of the bridge's first other port (as a Linux bridge takes a member's address).
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/** The lower layers an added Link may name (without the trailing "."). */
export const LINK_LOWER_RE = /^Device\.(?:Ethernet\.Interface\.\d+|Bridging\.Bridge\.\d+\.Port\.\d+)$/;

/** Levels walked down LowerLayers for a MAC address: a bridge's management port, a port, an interface. */
const MAX_DEPTH = 4;

/** The object row a reference names ("Device.Bridging.Bridge.1.Port.2"), if the model serves that object. */
function rowOf(model: DataModel, ref: string): { node: ModelNode; keys: InstanceKeys } | undefined {
  const keys: number[] = [];
  const supported = `${ref.replace(/\.(\d+)(?=\.|$)/g, (_, n: string) => (keys.push(Number(n)), '.{i}'))}.`;
  const node = model.node(supported);
  return node?.supported ? { node, keys } : undefined;
}

/** The values of the row `ref` names, or undefined when it does not exist (now). */
export async function readLower(model: DataModel, ref: string): Promise<Record<string, Value> | undefined> {
  const row = rowOf(model, ref);
  if (!row) return undefined;
  try {
    // Every level, outermost first: a port of a bridge that is gone is gone too.
    const tables: ModelNode[] = [];
    for (let n: ModelNode | undefined = row.node; n; n = n.parent) if (n.multi) tables.unshift(n);
    for (const [i, node] of tables.entries()) if (!(await model.exists({ node, keys: row.keys.slice(0, i + 1) }, {}))) return undefined;
    return await model.readValues(row, {});
  } catch (e) {
    // A row that went between the listing and the read (7016) is no lower layer.
    if (e instanceof UspError && e.code === ErrorCode.ObjectDoesNotExist) return undefined;
    throw e;
  }
}

/** Whether `ref` names an existing Ethernet.Interface or bridge port. */
export async function lowerExists(model: DataModel, ref: string): Promise<boolean> {
  return LINK_LOWER_RE.test(ref) && (await readLower(model, ref)) !== undefined;
}

/** The first MAC address down the stack from `ref` ("" when there is none). */
export async function lowerMac(model: DataModel, ref: string, depth = 0): Promise<string> {
  if (ref === '' || depth >= MAX_DEPTH) return '';
  const v = await readLower(model, ref);
  if (!v) return '';
  if (typeof v.MACAddress === 'string' && v.MACAddress !== '') return v.MACAddress;
  const below =
    String(v.LowerLayers ?? '')
      .split(',')[0]
      ?.trim() ?? '';
  return lowerMac(model, below.endsWith('.') ? below.slice(0, -1) : below, depth + 1);
}
