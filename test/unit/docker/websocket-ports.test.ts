/** The ports the container's health check connects to (docker/websocket-ports.ts). */
import { describe, expect, it } from 'vitest';
import { flattenState, webSocketPorts } from '../../../docker/websocket-ports.js';

describe('webSocketPorts', () => {
  it('lists enabled WebSocket MTPs in instance order; MQTT and disabled rows are not servers', () => {
    expect(
      webSocketPorts({
        'Device.LocalAgent.MTP.10.Enable': true,
        'Device.LocalAgent.MTP.10.Protocol': 'WebSocket',
        'Device.LocalAgent.MTP.10.WebSocket.Port': 9443,
        'Device.LocalAgent.MTP.1.Enable': true,
        'Device.LocalAgent.MTP.1.Protocol': 'WebSocket',
        'Device.LocalAgent.MTP.1.WebSocket.Port': 9001,
        'Device.LocalAgent.MTP.2.Enable': true,
        'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
        'Device.LocalAgent.MTP.3.Enable': false,
        'Device.LocalAgent.MTP.3.Protocol': 'WebSocket',
        'Device.LocalAgent.MTP.3.WebSocket.Port': 9003,
      }),
    ).toEqual([9001, 9443]);
  });

  it("takes TR-181's default port 8443 for a row that names none", () => {
    expect(webSocketPorts({ 'Device.LocalAgent.MTP.1.Enable': 'true', 'Device.LocalAgent.MTP.1.Protocol': 'WebSocket' })).toEqual([8443]);
  });

  it('follows the saved state over the defaults the container started with', () => {
    const defaults = { 'Device.LocalAgent.MTP.1.Enable': true, 'Device.LocalAgent.MTP.1.Protocol': 'WebSocket', 'Device.LocalAgent.MTP.1.WebSocket.Port': 9001 };
    const state = { format: 1, rows: { 'Device.LocalAgent.MTP.1.': { Enable: true, Protocol: 'WebSocket' }, 'Device.LocalAgent.MTP.1.WebSocket.': { Port: 9101, Path: '/usp' } } };
    expect(flattenState(state)).toEqual({
      'Device.LocalAgent.MTP.1.Enable': true,
      'Device.LocalAgent.MTP.1.Protocol': 'WebSocket',
      'Device.LocalAgent.MTP.1.WebSocket.Port': 9101,
      'Device.LocalAgent.MTP.1.WebSocket.Path': '/usp',
    });
    expect(webSocketPorts({ ...defaults, ...flattenState(state) })).toEqual([9101]);
  });
});
