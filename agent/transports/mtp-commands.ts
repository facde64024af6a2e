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
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { BoundCommand } from '../../datamodel/tree/bound-command.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import type { RunningMtps } from './RunningMtps.js';
import { StartedMqtt } from './start-mqtt.js';
import type { StartedTransport } from './TransportDeps.js';

const MQTT_CLIENT = 'Device.MQTT.Client.{i}.';
const CONTROLLER_WEBSOCKET = 'Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.';

export function registerMtpCommands(model: DataModel, running: RunningMtps, settle: () => Promise<void>, log: Logger): void {
  // One state object per gateway; the commands' functions are the fleet's (issue 14).
  const d: MtpCommandDeps = { running, settle, log };
  if (hasCommand(model, MQTT_CLIENT, 'ForceReconnect()')) model.registerCommand(MQTT_CLIENT, 'ForceReconnect()', new BoundCommand(d, forceReconnect));
  if (hasCommand(model, CONTROLLER_WEBSOCKET, 'Reset()')) model.registerCommand(CONTROLLER_WEBSOCKET, 'Reset()', new BoundCommand(d, resetWebSocket));
}

interface MtpCommandDeps {
  running: RunningMtps;
  settle: () => Promise<void>;
  log: Logger;
}

/** Runs `action` on `mtp` after the response, if a configuration swap has not replaced it meanwhile. */
function later(d: MtpCommandDeps, mtp: StartedTransport, what: string, action: () => Promise<void>): void {
  void d.running
    .exclusive(async () => {
      await d.settle();
      if (d.running.list.includes(mtp)) await action();
    })
    .catch((e: unknown) => d.log.error(`${what} failed`, { error: e instanceof Error ? e.message : String(e) }));
}

async function forceReconnect(d: MtpCommandDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  const mtp = d.running.list.find((m): m is StartedMqtt => m instanceof StartedMqtt && m.clientRow === call.objectPath);
  if (mtp?.client.connected) {
    d.log.info('MQTT ForceReconnect()', { client: call.objectPath });
    later(d, mtp, 'ForceReconnect()', () => mtp.reconnect());
  }
  return {};
}

async function resetWebSocket(d: MtpCommandDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  // Clients are named after their Controller.{i}.MTP.{j}. row; none runs for a disabled row.
  const row = call.objectPath.replace(/WebSocket\.$/, '');
  const client = d.running.list.find((m): m is WebSocketClientMtp => m instanceof WebSocketClientMtp && m.name === row);
  if (client) {
    d.log.info('controller WebSocket Reset()', { mtp: row });
    later(d, client, 'WebSocket Reset()', async () => {
      if (client.state !== 'open') {
        client.kick();
        return;
      }
      await client.stop();
      await client.start();
    });
  }
  return {};
}

/** The command is in this schema (it also lets a trimmed schema go without it). */
function hasCommand(model: DataModel, path: string, name: string): boolean {
  return model.node(path)?.def.commands.some((c) => c.name === name) ?? false;
}
