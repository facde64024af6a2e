/**
 * The container's environment → factory defaults translation (docker/env-defaults.ts): what each
 * variable sets, that a mounted defaults file wins, and that an unusable value names the variable
 * and the fix.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DefaultsFile } from '../../../agent/defaults/apply-defaults.js';
import { ContainerSettingError, settingsFromEnv } from '../../../docker/env-defaults.js';

const SHIPPED = JSON.parse(readFileSync(new URL('../../../examples/factory-defaults.json', import.meta.url), 'utf8')) as DefaultsFile;
/** The shipped defaults as the container starts them: the WebSocket server on every container address. */
const IN_CONTAINER: DefaultsFile = { ...SHIPPED, 'Device.LocalAgent.MTP.1.WebSocket.Interfaces': '' };

function errorOf(f: () => unknown): ContainerSettingError {
  try {
    f();
  } catch (e) {
    if (e instanceof ContainerSettingError) return e;
    throw e;
  }
  throw new Error('no ContainerSettingError');
}

describe('settingsFromEnv', () => {
  it("with no variables is the README simulated gateway, listening on the container's addresses instead of its loopback", () => {
    const s = settingsFromEnv({ PATH: '/usr/bin', HOME: '/home/node' }, SHIPPED);
    // The shipped example binds to the loopback interface: unreachable from outside a container.
    expect(SHIPPED['Device.LocalAgent.MTP.1.WebSocket.Interfaces']).toBe('Device.IP.Interface.3');
    expect(s).toEqual({ defaults: IN_CONTAINER, args: [], applied: [], ignored: [] });
  });

  it('does not change the shipped document', () => {
    const before = JSON.stringify(SHIPPED);
    settingsFromEnv({ USP_WS_PORT: '9100', USP_ENDPOINT_ID: 'proto::gw-2' }, SHIPPED);
    expect(JSON.stringify(SHIPPED)).toBe(before);
  });

  it('sets the WebSocket port, path, Endpoint IDs, seed and log level', () => {
    const s = settingsFromEnv(
      { USP_WS_PORT: '9100', USP_WS_PATH: '/gw', USP_ENDPOINT_ID: 'os::012345-CPE-1', USP_CONTROLLER_ID: 'proto::qa-controller', USP_SEED: '7', USP_LOG_LEVEL: 'debug' },
      SHIPPED,
    );
    expect(s.defaults).toEqual({
      ...IN_CONTAINER,
      'Device.LocalAgent.MTP.1.WebSocket.Port': 9100,
      'Device.LocalAgent.MTP.1.WebSocket.Path': '/gw',
      'Device.LocalAgent.EndpointID': 'os::012345-CPE-1',
      'Device.LocalAgent.Controller.1.EndpointID': 'proto::qa-controller',
    });
    expect(s.args).toEqual(['--seed', '7', '--log-level', 'debug']);
    expect(s.applied.sort()).toEqual(['USP_CONTROLLER_ID', 'USP_ENDPOINT_ID', 'USP_LOG_LEVEL', 'USP_SEED', 'USP_WS_PATH', 'USP_WS_PORT']);
  });

  it('treats an empty variable as unset (compose files often pass VAR= through)', () => {
    expect(settingsFromEnv({ USP_WS_PORT: '', USP_SEED: '  ' }, SHIPPED)).toEqual({ defaults: IN_CONTAINER, args: [], applied: [], ignored: [] });
  });

  it('adds an MQTT MTP on Device.MQTT.Client.1 from a broker URL, as the README MQTT example', () => {
    const s = settingsFromEnv({ USP_MQTT_URL: 'mqtt://mosquitto:1884' }, SHIPPED);
    expect(s.defaults).toMatchObject({
      'Device.MQTT.Client.1.Enable': true,
      'Device.MQTT.Client.1.BrokerAddress': 'mosquitto',
      'Device.MQTT.Client.1.BrokerPort': 1884,
      'Device.MQTT.Client.1.TransportProtocol': 'TCP/IP',
      'Device.MQTT.Client.1.ProtocolVersion': '5.0',
      'Device.MQTT.Client.1.Subscription.1.Enable': true,
      'Device.MQTT.Client.1.Subscription.1.Topic': '/usp/endpoint',
      'Device.LocalAgent.MTP.2.Enable': true,
      'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
      'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
      'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured': '/usp/endpoint',
      'Device.LocalAgent.Controller.1.MTP.2.Enable': true,
      'Device.LocalAgent.Controller.1.MTP.2.Protocol': 'MQTT',
      'Device.LocalAgent.Controller.1.MTP.2.MQTT.Topic': '/usp/controller',
    });
    // The WebSocket server stays: the gateway is reachable both ways.
    expect(s.defaults['Device.LocalAgent.MTP.1.Protocol']).toBe('WebSocket');
    expect(s.defaults['Device.MQTT.Client.1.Username']).toBeUndefined();
  });

  it('takes TLS, default ports, credentials, IPv6 literals and topics from the MQTT variables', () => {
    const tls = settingsFromEnv({ USP_MQTT_URL: 'mqtts://usp%40gw:p%3Ass@[2001:db8::1]', USP_MQTT_TOPIC: '/usp/agent/gw-2', USP_MQTT_CONTROLLER_TOPIC: '/usp/qa' }, SHIPPED).defaults;
    expect(tls).toMatchObject({
      'Device.MQTT.Client.1.BrokerAddress': '2001:db8::1',
      'Device.MQTT.Client.1.BrokerPort': 8883,
      'Device.MQTT.Client.1.TransportProtocol': 'TLS',
      'Device.MQTT.Client.1.Username': 'usp@gw',
      'Device.MQTT.Client.1.Password': 'p:ss',
      'Device.MQTT.Client.1.Subscription.1.Topic': '/usp/agent/gw-2',
      'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured': '/usp/agent/gw-2',
      'Device.LocalAgent.Controller.1.MTP.2.MQTT.Topic': '/usp/qa',
    });
    expect(settingsFromEnv({ USP_MQTT_URL: 'mqtt://broker' }, SHIPPED).defaults['Device.MQTT.Client.1.BrokerPort']).toBe(1883);
  });

  it('turns on the TLS WebSocket server with the agent identity and CA files', () => {
    const s = settingsFromEnv({ USP_WS_TLS: 'true', USP_CA_FILE: '/run/secrets/ca.pem', USP_CERT_FILE: '/run/secrets/agent.pem', USP_KEY_FILE: '/run/secrets/agent.key' }, SHIPPED);
    expect(s.defaults['Device.LocalAgent.MTP.1.WebSocket.EnableEncryption']).toBe(true);
    expect(s.args).toEqual(['--cert', '/run/secrets/agent.pem', '--key', '/run/secrets/agent.key', '--ca', '/run/secrets/ca.pem']);
    expect(settingsFromEnv({ USP_WS_TLS: 'false' }, SHIPPED).defaults['Device.LocalAgent.MTP.1.WebSocket.EnableEncryption']).toBe(false);
  });

  it('USP_FIRMWARE_TRUST_DIR becomes --firmware-trust (signed firmware images only)', () => {
    expect(settingsFromEnv({ USP_FIRMWARE_TRUST_DIR: '/run/secrets/fw-keys' }, SHIPPED).args).toEqual(['--firmware-trust', '/run/secrets/fw-keys']);
  });

  it('lets a mounted defaults file replace the shipped defaults and the variables, keeping the run options', () => {
    const mounted: DefaultsFile = { 'Device.LocalAgent.EndpointID': 'proto::from-file', 'Device.LocalAgent.MTP.1.WebSocket.Port': 9500 };
    const s = settingsFromEnv({ USP_WS_PORT: '9100', USP_ENDPOINT_ID: 'proto::from-env', USP_SEED: '3' }, SHIPPED, mounted);
    expect(s.defaults).toEqual(mounted);
    expect(s.args).toEqual(['--seed', '3']);
    expect(s.applied).toEqual(['USP_SEED']);
    expect(s.ignored.sort()).toEqual(['USP_ENDPOINT_ID', 'USP_WS_PORT']);
  });

  it.each([
    [{ USP_WS_PORT: 'http' }, 'USP_WS_PORT', /not a TCP port; give a whole number from 1 to 65535/],
    [{ USP_WS_PORT: '70000' }, 'USP_WS_PORT', /1 to 65535/],
    [{ USP_WS_PORT: '0' }, 'USP_WS_PORT', /1 to 65535/],
    [{ USP_WS_PATH: 'usp' }, 'USP_WS_PATH', /starts with "\/"/],
    [{ USP_ENDPOINT_ID: 'gateway 1' }, 'USP_ENDPOINT_ID', /not a USP Endpoint ID; give one such as proto::usp-agent-sim/],
    [{ USP_CONTROLLER_ID: 'controller' }, 'USP_CONTROLLER_ID', /not a USP Endpoint ID/],
    [{ USP_SEED: '-1' }, 'USP_SEED', /not a whole number/],
    [{ USP_LOG_LEVEL: 'verbose' }, 'USP_LOG_LEVEL', /must be error, warn, info, debug/],
    [{ USP_MQTT_URL: 'mosquitto:1883' }, 'USP_MQTT_URL', /scheme must be mqtt: or mqtts:/],
    [{ USP_MQTT_URL: 'not a url' }, 'USP_MQTT_URL', /not a URL/],
    [{ USP_MQTT_URL: 'mqtt://broker/usp' }, 'USP_MQTT_URL', /has no path/],
    [{ USP_MQTT_TOPIC: '/usp/x' }, 'USP_MQTT_TOPIC', /no effect without USP_MQTT_URL/],
    [{ USP_WS_TLS: 'true' }, 'USP_WS_TLS', /give USP_CA_FILE too/],
    [{ USP_WS_TLS: 'maybe', USP_CA_FILE: '/ca.pem' }, 'USP_WS_TLS', /give true or false/],
    [{ USP_CERT_FILE: '/a.pem' }, 'USP_CERT_FILE', /needs USP_KEY_FILE too/],
  ])('refuses %o naming %s and the fix', (env, variable, why) => {
    const e = errorOf(() => settingsFromEnv(env, SHIPPED));
    expect(e.variable).toBe(variable);
    expect(e.message).toMatch(new RegExp(`^${variable}=`));
    expect(e.message).toMatch(why);
  });
});
