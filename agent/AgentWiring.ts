/**
 * What the parts of one agent reach of the agent that is built after them: its running MTPs, its
 * notifications, its Endpoint ID. Agent.start makes one per start and hands it to the parts, which
 * call its methods, instead of a closure per callback over Agent.start's locals (each a function
 * and a share of a closure context per gateway: issue 14, memory per fleet gateway). In a fleet the
 * methods are one copy for every gateway; the object holds a few references.
 */
import type { MqttClientLive, MqttClientLookup } from './localagent/register-mqtt-client.js';
import type { LocalAgentInfo } from './localagent/register-local-agent.js';
import type { StoredOptions } from '../datamodel/store/stored-binding.js';
import type { UspMsg } from './codec/types.js';
import type { BoundIdentity, RecordProcessorDeps } from './RecordProcessor.js';
import type { ControllerLinks, NotificationRoute } from './notify/NotificationDelivery.js';
import type { Logger } from '../datamodel/Logger.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { RecordHandler } from '../mtp/Mtp.js';
import type { TlsIdentity } from '../mtp/tls/TlsIdentity.js';
import type { ControllerDirectory } from './ControllerDirectory.js';
import type { OperationRunner } from './operate/OperationRunner.js';
import type { StartedTransport, TransportDeps } from './transports/TransportDeps.js';
import { WebSocketClientMtp } from '../mtp/websocket/WebSocketClientMtp.js';
import { StartedMqtt } from './transports/start-mqtt.js';
import type { MqttReportPublisher } from './bulkdata/mqtt-channel.js';
import type { BulkDataLinks } from './bulkdata/register-bulkdata.js';
import type { AccessView } from '../datamodel/access/AccessView.js';
import type { DataStore } from '../datamodel/store/DataStore.js';
import { unionRoles } from './access/AccessControl.js';
import type { GatewayActions, RestartCause } from './builtin-commands.js';
import type { FirmwareCommands } from './firmware/register-firmware.js';
import type { Agent } from './Agent.js';
import type { PluginTargets } from './plugins/plugin-host.js';

/**
 * One agent's callbacks as methods (TR-181 Device.LocalAgent. facts, Reboot()/FactoryReset()'s
 * restart, the MQTT MTP of a Device.MQTT.Client.{i} row, NotifyResp routing, the notification
 * links): the parts keep this object and call its methods.
 */
export class AgentWiring implements LocalAgentInfo, GatewayActions, MqttClientLookup, NotificationRoute, BulkDataLinks {
  /** Set once the agent is made; until then there is nothing running to reach. */
  agent?: Agent;
  /** Device.LocalAgent.EndpointID, read once the state is loaded. */
  endpoint = '';
  /** Set once the state is loaded. */
  controllers?: ControllerDirectory;
  /** Set where the platform has firmware banks: Device.Reboot() may boot a chosen image. */
  firmware?: FirmwareCommands;

  constructor(
    private readonly store: DataStore,
    readonly softwareVersion: string,
    readonly startedAt: number,
    readonly supportedProtocols: string,
    readonly vendorParams: StoredOptions['vendorParams'],
  ) {}

  now(): Date {
    return new Date();
  }

  /** Controller.{i}.MTP.{j}.WebSocket.CurrentRetryCount: the running WebSocket client of that row's. */
  currentRetryCount(keys: readonly number[]): number {
    const name = `Device.LocalAgent.Controller.${keys[0]}.MTP.${keys[1]}.`;
    const client = this.agent?.mtps.find((m): m is WebSocketClientMtp => m instanceof WebSocketClientMtp && m.name === name);
    return client?.currentRetryCount ?? 0;
  }

  /** The MQTT client of the MTP running for Device.MQTT.Client.{i} `clientRow`, if one runs. */
  mqttClientFor(clientRow: string): MqttClientLive | undefined {
    return this.runningMqtt(clientRow)?.client;
  }

  /** The same client as Bulk Data's MQTT reports publish through it (TR-181 BulkData.Profile.{i}.MQTT.Reference). */
  mqttPublisherFor(clientRow: string): MqttReportPublisher | undefined {
    return this.runningMqtt(clientRow)?.client;
  }

  /** The permissions of the Controller row at `controllerPath`, with which its Bulk Data Profiles collect; undefined: no such row. */
  async profileAccess(controllerPath: string): Promise<AccessView | undefined> {
    const row = this.store.row(`${controllerPath.replace(/\.$/, '')}.`);
    if (!row || !this.controllers) return undefined;
    return (await this.controllers.access.permissionsFor(unionRoles(String(row.AssignedRole ?? ''), ''))).view();
  }

  private runningMqtt(clientRow: string): StartedMqtt | undefined {
    return this.agent?.mtps.find((m): m is StartedMqtt => m instanceof StartedMqtt && m.clientRow === clientRow);
  }

  restart(cause: RestartCause, commandKey: string): void {
    void this.agent?.stop({ kind: 'restart', cause, commandKey });
  }

  /** Device.Reboot(): the firmware the platform boots at a reboot first (a chosen BootFirmwareImage), then the restart. */
  reboot(commandKey: string): void {
    const firmware = this.firmware;
    if (!firmware) return this.restart('RemoteReboot', commandKey);
    void firmware.beforeReboot().finally(() => this.restart('RemoteReboot', commandKey));
  }

  /** Resolves once the notifications queued so far are matched and sent. */
  settle(): Promise<void> {
    return this.agent?.notifications.engine.idle() ?? Promise.resolve();
  }

  links(): readonly ControllerLinks[] {
    return this.agent?.notificationLinks ?? [];
  }

  endpointId(): string {
    return this.endpoint;
  }
}

/** What the RecordProcessor needs of the agent: its Endpoint ID, and where NotifyResps go. */
export class ProcessorDeps implements RecordProcessorDeps {
  constructor(
    readonly model: DataModel,
    readonly operations: OperationRunner,
    readonly controllers: ControllerDirectory,
    readonly log: Logger,
    readonly boundIdentity: BoundIdentity | undefined,
    private readonly wiring: AgentWiring,
  ) {}

  endpointId(): string {
    return this.wiring.endpoint;
  }

  /** A NotifyResp acknowledges the Notify with the same msg_id (NotifRetry, OnBoardRequest). */
  onResponse(fromId: string, msg: UspMsg): void {
    if (msg.body.msgBody === 'response' && msg.body.response.respType === 'notifyResp') this.wiring.agent?.notifications.delivery.ack(fromId, msg.header.msgId);
  }
}

/** What the MTP starters need of the agent (TransportDeps): its identity, where Records go, its controllers and running MTPs. */
export class MtpDeps implements TransportDeps {
  constructor(
    readonly model: DataModel,
    readonly onRecord: RecordHandler,
    readonly endpointId: string,
    readonly tls: TlsIdentity | undefined,
    readonly log: Logger,
    private readonly controllers: ControllerDirectory,
    private readonly agent: Agent,
  ) {}

  isConfiguredController(endpointId: string): Promise<boolean> {
    return this.controllers.isConfigured(endpointId);
  }

  running(): readonly StartedTransport[] {
    return this.agent.mtps;
  }
}

/** What stops with the platform: the plugins' stops, the transfer diagnostics, the platform itself. */
export class PlatformShutdown {
  constructor(
    private readonly plugged: PluginTargets,
    private readonly transferDiagnostics: { stop(): void },
    private readonly platform: { stop?(): void },
  ) {}

  stop(): void {
    for (const s of this.plugged.stops) s();
    this.transferDiagnostics.stop();
    this.platform.stop?.();
  }
}
