/**
 * Device.UnixDomainSockets. and the UDS sub-objects of the MTP tables as stored configuration
 * (TR-181 UDSAgent:1, UDSController:1; TR-369 §"UNIX Domain Socket Binding"): the socket rows
 * (Path, Mode Listen/Connect), Device.LocalAgent.MTP.{i}.UDS.UnixDomainSocketRef and
 * Device.LocalAgent.Controller.{i}.MTP.{i}.UDS.UnixDomainSocketRef, seeded by the factory-defaults
 * file, persisted by the DataStore and read by agent/transports/start-uds.ts.
 * The socket table is readOnly in TR-181: the device defines its sockets, controllers cannot Add.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/** Nothing of a gateway in these options: one of each for a fleet (issue 14). */
const SOCKET_OPTIONS: StoredOptions = {
  params: ['Alias', 'Mode', 'Path'],
  validate: (_keys, changes) => {
    // A relative path would depend on the agent's working directory; abstract sockets are not supported.
    if ('Path' in changes && changes.Path !== '' && !String(changes.Path).startsWith('/')) {
      throw new UspError(ErrorCode.InvalidValue, `Path must be absolute, got ${JSON.stringify(changes.Path)}`, { path: 'Path' });
    }
  },
};
const AGENT_UDS_OPTIONS: StoredOptions = { params: ['UnixDomainSocketRef'] };
const CONTROLLER_UDS_OPTIONS: StoredOptions = {
  params: ['UnixDomainSocketRef', 'USPServiceRef'],
  // Names a Device.USPServices.USPService row, which only a USP Broker has; this agent is not one.
  live: { USPServiceRef: () => '' },
};

export function registerUnixDomainSockets(model: DataModel, store: DataStore): void {
  registerStored(model, store, 'Device.UnixDomainSockets.UnixDomainSocket.{i}.', SOCKET_OPTIONS);
  registerStored(model, store, 'Device.LocalAgent.MTP.{i}.UDS.', AGENT_UDS_OPTIONS);
  registerStored(model, store, 'Device.LocalAgent.Controller.{i}.MTP.{i}.UDS.', CONTROLLER_UDS_OPTIONS);
}
