/**
 * The Interface input of the IP diagnostics (TR-181 Device.IP.Diagnostics.IPPing() and
 * friends: "the IP-layer interface over which the test is to be performed", a reference to a
 * Device.IP.Interface.{i} row; empty: the routing table decides) turned into the OS network
 * device the tools bind to, and the Host input checked before it reaches a command line.
 */
import fs from 'node:fs';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/** The OS device of Device.IP.Interface.{n}; undefined when the row has none on this host. */
export type InterfaceDevice = (n: number) => Promise<string | undefined>;

const IP_INTERFACE = /^Device\.IP\.Interface\.(\d+)\.?$/;

/**
 * The OS device for an Interface input; undefined for '' (no binding). A value that names no
 * existing Device.IP.Interface row is invalid input (TR-369 7027 Invalid command arguments).
 * `deviceOf` maps the row to its device (the platform's table); without one, the row's Name
 * when the host has a network device of that name (Linux: always; the simulated gateway's
 * interfaces are not the host's, except its loopback `lo`, so the others run unbound).
 */
export async function interfaceDevice(model: DataModel, value: string, deviceOf?: InterfaceDevice): Promise<string | undefined> {
  if (value === '') return undefined;
  const m = IP_INTERFACE.exec(value.trim());
  if (!m) throw new UspError(ErrorCode.InvalidCommandArgs, `Interface must reference a Device.IP.Interface.{i} row or be empty, not ${JSON.stringify(value)}`);
  const node = model.node('Device.IP.Interface.{i}.');
  const inst = node && { node, keys: [Number(m[1])] };
  if (!inst || !model.bindingOf(node) || !(await model.exists(inst, {}))) {
    throw new UspError(ErrorCode.InvalidCommandArgs, `Interface ${value}: no such Device.IP.Interface row`);
  }
  if (deviceOf) return deviceOf(inst.keys[0]);
  const name = (await model.readValues(inst, {})).Name;
  return typeof name === 'string' && /^[\w.:@-]+$/.test(name) && fs.existsSync(`/sys/class/net/${name}`) ? name : undefined;
}

// A host name (RFC 1123 labels, also "_" seen in the wild), an IPv4 literal or an IPv6 literal
// with an optional zone. Above all it must not start with "-": the tools would take it as an option.
const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})|[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?)$/;

/** Checks a Host input (TR-369 7027 when it is empty or no host name or address). */
export function checkHost(name: string, host: string): string {
  const h = host.trim();
  if (!HOST.test(h)) throw new UspError(ErrorCode.InvalidCommandArgs, `${name} must be a host name or IP address, not ${JSON.stringify(host)}`);
  return h;
}
