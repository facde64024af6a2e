/**
 * The TR-181 commands that act on a running MTP:
 * - Device.MQTT.Client.{i}.ForceReconnect() (MQTTClientCon): disconnects from the broker and
 *   connects again; only effective while that client is connected, otherwise no effect.
 * - Device.LocalAgent.Controller.{i}.MTP.{j}.WebSocket.Reset(): "if enabled, request to start or
 *   restart a WebSocket session with the Controller": a connected client reconnects, one waiting
 *   out its back-off dials now (the retry count starts again).
 * Both answer at once; the reconnect waits, like a configuration swap, until in-flight requests
 * (this Operate among them) are answered, since the response may travel on the link it drops.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import type { RunningMtps } from './RunningMtps.js';
import { StartedMqtt } from './start-mqtt.js';
import type { StartedTransport } from './TransportDeps.js';

const MQTT_CLIENT = 'Device.MQTT.Client.{i}.';
const CONTROLLER_WEBSOCKET = 'Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.';

export function registerMtpCommands(model: DataModel, running: RunningMtps, settle: () => Promise<void>, log: Logger): void {
  /** Runs `action` on `mtp` after the response, if a configuration swap has not replaced it meanwhile. */
  const later = (mtp: StartedTransport, what: string, action: () => Promise<void>): void => {
    void running
      .exclusive(async () => {
        await settle();
        if (running.list.includes(mtp)) await action();
      })
      .catch((e: unknown) => log.error(`${what} failed`, { error: e instanceof Error ? e.message : String(e) }));
  };

  if (hasCommand(model, MQTT_CLIENT, 'ForceReconnect()')) {
    model.registerCommand(MQTT_CLIENT, 'ForceReconnect()', {
      run: async (call) => {
        const mtp = running.list.find((m): m is StartedMqtt => m instanceof StartedMqtt && m.clientRow === call.objectPath);
        if (mtp?.client.connected) {
          log.info('MQTT ForceReconnect()', { client: call.objectPath });
          later(mtp, 'ForceReconnect()', () => mtp.reconnect());
        }
        return {};
      },
    });
  }

  if (hasCommand(model, CONTROLLER_WEBSOCKET, 'Reset()')) {
    model.registerCommand(CONTROLLER_WEBSOCKET, 'Reset()', {
      run: async (call) => {
        // Clients are named after their Controller.{i}.MTP.{j}. row; none runs for a disabled row.
        const row = call.objectPath.replace(/WebSocket\.$/, '');
        const client = running.list.find((m): m is WebSocketClientMtp => m instanceof WebSocketClientMtp && m.name === row);
        if (client) {
          log.info('controller WebSocket Reset()', { mtp: row });
          later(client, 'WebSocket Reset()', async () => {
            if (client.state !== 'open') {
              client.kick();
              return;
            }
            await client.stop();
            await client.start();
          });
        }
        return {};
      },
    });
  }
}

/** The command is in this schema (it also lets a trimmed schema go without it). */
function hasCommand(model: DataModel, path: string, name: string): boolean {
  return model.node(path)?.def.commands.some((c) => c.name === name) ?? false;
}
