/**
 * Checks of the factory defaults that need the model with the defaults already applied (inside
 * the not yet committed transaction): values that must come from a list another parameter holds
 * (TR-106 enumerationRef, e.g. Device.LocalAgent.MTP.{i}.Protocol from SupportedProtocols), and
 * read-only parameters the agent would silently ignore. Either starts an agent that is not what
 * its operator wrote (an MTP with Protocol "Websocket" is simply never started), so each stops
 * the start naming the path.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { Value } from '../../datamodel/value/Value.js';
import { checkEnumerationRef } from '../../datamodel/tree/enumeration-ref.js';
import { UspError } from '../../datamodel/UspError.js';

/** One entry of the defaults file, located and parsed. */
export interface DefaultsEntry {
  path: string;
  node: ModelNode;
  keys: number[];
  param: string;
  syntax: SchemaParam;
  value: Value;
}

/** A problem with one entry: `why` says what is wrong and what to write instead. */
export interface EntryProblem {
  path: string;
  why: string;
}

/**
 * A read-only parameter is taken from the defaults only where the agent keeps it as its own
 * configuration (Device.LocalAgent.EndpointID, Device.UnixDomainSockets.UnixDomainSocket.{i}.Path
 * and Mode: TR-181 makes them read-only for controllers, the device sets them). Anywhere else the
 * device provides the value (DeviceInfo.SoftwareVersion, LocalAgent.SupportedProtocols, UpTime),
 * and the entry would be ignored: it reads back different from what the file says.
 */
export async function readOnlyIgnored(model: DataModel, entries: readonly DefaultsEntry[]): Promise<EntryProblem | undefined> {
  for (const e of entries) {
    if (e.syntax.access !== 'readOnly') continue;
    const now = (await model.readValues({ node: e.node, keys: e.keys }, {}))[e.param];
    if (now !== e.value) {
      return { path: e.path, why: 'read-only: the device provides this value, the factory defaults cannot set it; remove it from the file' };
    }
  }
  return undefined;
}

/**
 * TR-106 enumerationRef: the value must be one the target parameter lists (the check Set and Add
 * make too, datamodel/tree/enumeration-ref.ts). Read inside the defaults' transaction, so a target
 * the file itself sets counts.
 */
export async function outsideEnumerationRef(model: DataModel, entries: readonly DefaultsEntry[]): Promise<EntryProblem | undefined> {
  for (const e of entries) {
    if (!e.syntax.enumerationRef) continue;
    try {
      await checkEnumerationRef(model, e.node, e.keys, e.syntax, e.value, {});
    } catch (x) {
      if (x instanceof UspError) return { path: e.path, why: x.message };
      throw x;
    }
  }
  return undefined;
}
