/**
 * The Interface input of Device.PacketCaptureDiagnostics() (TR-181: "a reference to a (layer 2 or
 * above) interface object", a weak row reference) turned into the network device to capture on.
 * An interface object is a row whose object has Name and LowerLayers (the TR-181 interface stack:
 * IP.Interface, Ethernet.Interface and Link, Bridging.Bridge.{i}.Port, WiFi.SSID, PPP.Interface,
 * Cellular.Interface...); its Name is the device, except where the platform maps IP.Interface rows
 * to devices itself (OpenWrt: `lan` → `br-lan`).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InterfaceDevice } from './interface-input.js';

/** Device.A.B.3.C.2 (trailing dot optional): names and instance numbers. */
const ROW_PATH = /^Device(?:\.(?:[A-Za-z][\w-]*|[1-9]\d{0,9}))+\.?$/;

/** An Interface input checked for its shape: the table it names and the row's keys. */
export interface InterfaceRow {
  /** The value as given (for messages). */
  ref: string;
  table: string;
  keys: number[];
}

/**
 * Checks that `value` names a row of an interface table this agent serves (TR-369 7027
 * otherwise: the argument is invalid whatever the rows are). Whether the row exists is asked
 * when the capture starts (deviceOfRow): a weak reference may name a row that is gone.
 */
export function interfaceRowOf(model: DataModel, value: string): InterfaceRow {
  const ref = value.trim();
  if (ref === '') throw bad('Interface is required: give the interface to capture on (e.g. Device.IP.Interface.1)');
  if (!ROW_PATH.test(ref) || !/\.\d+\.?$/.test(ref)) throw bad(`Interface must reference an interface row (e.g. Device.Ethernet.Interface.1), not ${JSON.stringify(value)}`);
  const keys: number[] = [];
  const table = `${ref
    .replace(/\.$/, '')
    .split('.')
    .map((seg) => {
      if (!/^\d+$/.test(seg)) return seg;
      keys.push(Number(seg));
      return '{i}';
    })
    .join('.')}.`;
  const node = model.node(table);
  // LowerLayers as the schema has it (a platform need not serve it on the lowest layer); Name as served.
  const schemaParams = new Set(model.schemaObject(table)?.params.map((p) => p.name));
  if (!node || !node.multi || !model.bindingOf(node) || !node.params.has('Name') || !schemaParams.has('LowerLayers')) {
    throw bad(`Interface ${ref}: not an interface table this device serves (a row with Name and LowerLayers, layer 2 or above)`);
  }
  return { ref, table, keys };
}

/** The device of `row`, or undefined when the row is gone or has no device name. */
export async function deviceOfRow(model: DataModel, row: InterfaceRow, ipInterfaceDevice?: InterfaceDevice): Promise<string | undefined> {
  const node = model.requireNode(row.table);
  const inst = { node, keys: row.keys };
  if (!(await model.exists(inst, {}))) return undefined;
  if (ipInterfaceDevice && row.table === 'Device.IP.Interface.{i}.') return ipInterfaceDevice(row.keys[0]!);
  const name = (await model.readValues(inst, {})).Name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

const bad = (msg: string): UspError => new UspError(ErrorCode.InvalidCommandArgs, msg);
