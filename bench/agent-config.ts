/**
 * The agent configuration the integration tests and every bench phase use: factory defaults with
 * one plain WebSocket MTP on a loopback port and one full-access controller. Lives in bench/
 * because tsconfig.build.json excludes test/; test/peers/agent-fixture.ts re-exports it.
 */
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';

/** The agent's EndpointID in testDefaults() (test/peers/agent-fixture.ts exports it as AGENT_EID). */
export const TEST_AGENT_EID = 'proto::agent-under-test';
export const AGENT_EID = 'proto::agent-under-bench';
export const CONTROLLER_EID = 'proto::controller-1';
export const USP_PATH = '/usp';

/** Factory defaults for the tests: WebSocket MTP on `port`, Controller.1 with full access; `extra` adds or overrides. */
export function testDefaults(port: number, extra: DefaultsFile = {}): DefaultsFile {
  return {
    'Device.LocalAgent.EndpointID': TEST_AGENT_EID,
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
    ...extra,
  };
}

/** testDefaults() with the bench's own agent EndpointID. */
export function benchDefaults(port: number): DefaultsFile {
  return testDefaults(port, { 'Device.LocalAgent.EndpointID': AGENT_EID });
}
