/**
 * The agent configuration every bench phase uses: test-style factory defaults (one plain WebSocket
 * MTP on a loopback port, one full-access controller), as in test/peers/agent-fixture.ts.
 */
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';

export const AGENT_EID = 'proto::agent-under-bench';
export const CONTROLLER_EID = 'proto::controller-1';
export const USP_PATH = '/usp';

/** Same shape as the integration tests' factory defaults (test/peers/agent-fixture.ts). */
export function benchDefaults(port: number): DefaultsFile {
  return {
    'Device.LocalAgent.EndpointID': AGENT_EID,
    'Device.LocalAgent.MTP.1.Enable': true,
    'Device.LocalAgent.MTP.1.Protocol': 'WebSocket',
    'Device.LocalAgent.MTP.1.WebSocket.Port': port,
    'Device.LocalAgent.MTP.1.WebSocket.Path': USP_PATH,
    'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': false,
    'Device.LocalAgent.ControllerTrust.Role.1.Name': 'Full Access',
    'Device.LocalAgent.ControllerTrust.Role.1.Enable': true,
    'Device.LocalAgent.Controller.1.EndpointID': CONTROLLER_EID,
    'Device.LocalAgent.Controller.1.Enable': true,
    'Device.LocalAgent.Controller.1.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
  };
}
