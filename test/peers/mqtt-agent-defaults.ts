/**
 * Factory defaults for an agent whose only MTP is MQTT (LocalAgent.MTP.1 over Device.MQTT.Client.1)
 * and whose Controller.1 (full access) is reached on one MQTT topic: the configuration the MQTT
 * integration tests start the real agent with.
 */
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';

export interface MqttAgentDefaults {
  agentEid: string;
  controllerEid: string;
  controllerTopic: string;
  brokerPort: number;
  version: '3.1.1' | '5.0';
  /** Device.MQTT.Client.1.Subscription.1.Topic (QoS 1); none when omitted. */
  subscription?: string;
  responseTopicConfigured?: string;
  /** TransportProtocol TLS (else the default TCP/IP). */
  tls?: boolean;
}

export function mqttAgentDefaults(o: MqttAgentDefaults): DefaultsFile {
  const C = 'Device.MQTT.Client.1.';
  return {
    'Device.LocalAgent.EndpointID': o.agentEid,
    'Device.LocalAgent.MTP.1.Enable': true,
    'Device.LocalAgent.MTP.1.Protocol': 'MQTT',
    'Device.LocalAgent.MTP.1.MQTT.Reference': 'Device.MQTT.Client.1',
    'Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured': o.responseTopicConfigured ?? '',
    'Device.LocalAgent.MTP.1.MQTT.PublishQoS': 1,
    'Device.LocalAgent.ControllerTrust.Role.1.Name': 'Full Access',
    'Device.LocalAgent.ControllerTrust.Role.1.Enable': true,
    'Device.LocalAgent.Controller.1.EndpointID': o.controllerEid,
    'Device.LocalAgent.Controller.1.Enable': true,
    'Device.LocalAgent.Controller.1.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
    'Device.LocalAgent.Controller.1.MTP.1.Enable': true,
    'Device.LocalAgent.Controller.1.MTP.1.Protocol': 'MQTT',
    'Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic': o.controllerTopic,
    [`${C}Enable`]: true,
    [`${C}BrokerAddress`]: '127.0.0.1',
    [`${C}BrokerPort`]: o.brokerPort,
    ...(o.tls ? { [`${C}TransportProtocol`]: 'TLS' } : {}),
    [`${C}ProtocolVersion`]: o.version,
    [`${C}KeepAliveTime`]: 30,
    [`${C}ConnectRetryTime`]: 1,
    [`${C}ConnectRetryIntervalMultiplier`]: 2000,
    [`${C}ConnectRetryMaxInterval`]: 4,
    ...(o.subscription ? { [`${C}Subscription.1.Enable`]: true, [`${C}Subscription.1.Topic`]: o.subscription, [`${C}Subscription.1.QoS`]: 1 } : {}),
  };
}
