/**
 * Factory defaults for Controller.1 reached by the agent's WebSocket client MTP on a loopback
 * controller at `port`, with a first retry 60-120 s away (SessionRetryMinimumWaitInterval 60): a
 * link that comes back within a test's time came back through a prompt reconnect, not the back-off.
 */
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';

export function dialledControllerWithSlowRetry(port: number): DefaultsFile {
  const mtp = 'Device.LocalAgent.Controller.1.MTP.1.';
  return {
    [`${mtp}Enable`]: true,
    [`${mtp}Protocol`]: 'WebSocket',
    [`${mtp}WebSocket.Host`]: '127.0.0.1',
    [`${mtp}WebSocket.Port`]: port,
    [`${mtp}WebSocket.Path`]: '/usp',
    [`${mtp}WebSocket.EnableEncryption`]: false,
    [`${mtp}WebSocket.SessionRetryMinimumWaitInterval`]: 60,
  };
}
