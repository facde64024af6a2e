/**
 * Two whole agents of one fleet (Agent.start over one SharedSupportedModel, as `usp-agent fleet`
 * starts them): the agent's own bindings (LocalAgent, BulkData, certificates, software, the UDP
 * echo configuration) keep only the gateway's state per gateway; their methods, parameter lists
 * and stored options' methods are the fleet's (issue 14: memory per gateway). What one gateway is
 * told stays its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../../../agent/Agent.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import type { StoredOptions } from '../../../../datamodel/store/stored-binding.js';
import type { CommandBinding, ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { ExtraParamsBinding } from '../../../../datamodel/tree/extra-params.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const started: Agent[] = [];

async function fleet(n: number, more: (unit: number) => Record<string, Value> = () => ({})): Promise<Agent[]> {
  const share = new SharedSupportedModel();
  const out: Agent[] = [];
  for (let unit = 1; unit <= n; unit++) {
    const agent = await Agent.start({
      defaults: { 'Device.LocalAgent.EndpointID': `proto::sharing-${unit}`, ...more(unit) },
      platform: 'simulated',
      log: silentLogger,
      seed: unit,
      unit,
      schema,
      sharedModel: share,
    });
    started.push(agent);
    out.push(agent);
  }
  return out;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()));
});

const binding = (a: Agent, path: string): ObjectBinding => {
  const b = a.model.bindingAt(path);
  if (!b) throw new Error(`${path} is not bound`);
  return b;
};
/** The options a stored binding was registered with (datamodel/store/stored-binding.ts keeps them as `opts`). */
const options = (a: Agent, path: string): StoredOptions => (binding(a, path) as unknown as { opts: StoredOptions }).opts;
const command = (a: Agent, path: string, name: string): CommandBinding => {
  const c = a.model.commandBinding(a.model.requireNode(path), name);
  if (!c) throw new Error(`${path}${name} is not bound`);
  return c;
};
const values = (a: Agent, path: string, keys: number[] = []): Promise<Record<string, Value>> => a.model.readValues({ node: a.model.requireNode(path), keys }, {});

describe("the agent's own objects on gateways of one fleet", () => {
  it('share their bindings’ methods, parameter lists and stored options’ methods', async () => {
    const [a, b] = await fleet(2);
    expect(b.model.root).toBe(a.model.root);
    const objects = [
      'Device.LocalAgent.',
      'Device.LocalAgent.Controller.{i}.',
      'Device.LocalAgent.Certificate.{i}.',
      'Device.BulkData.',
      'Device.SoftwareModules.ExecEnv.{i}.',
      'Device.SoftwareModules.DeploymentUnit.{i}.',
      'Device.SoftwareModules.ExecutionUnit.{i}.',
      'Device.SoftwareModules.ExecutionUnit.{i}.AutoRestart.',
      'Device.Security.Certificate.{i}.',
      'Device.InterfaceStack.{i}.',
    ];
    for (const path of objects) {
      expect(binding(b, path), path).not.toBe(binding(a, path));
      expect(binding(b, path).get, path).toBe(binding(a, path).get);
      expect(binding(b, path).set, path).toBe(binding(a, path).set);
      expect(binding(b, path).list, path).toBe(binding(a, path).list);
      expect(binding(b, path).params, path).toBe(binding(a, path).params);
    }
    // Stored objects: the options' methods (validate, initial, live values) are the fleet's.
    for (const path of [
      'Device.LocalAgent.',
      'Device.LocalAgent.Controller.{i}.',
      'Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.',
      'Device.LocalAgent.Subscription.{i}.',
      'Device.BulkData.',
      'Device.BulkData.Profile.{i}.',
      'Device.BulkData.Profile.{i}.Parameter.{i}.',
      'Device.BulkData.Profile.{i}.MQTT.',
      'Device.BulkData.Profile.{i}.HTTP.',
      'Device.BulkData.Profile.{i}.CSVEncoding.',
      'Device.IP.Diagnostics.UDPEchoConfig.',
      'Device.UnixDomainSockets.UnixDomainSocket.{i}.',
      'Device.LocalAgent.Controller.{i}.MTP.{i}.UDS.',
    ]) {
      const [oa, ob] = [options(a, path), options(b, path)];
      expect(ob.validate, path).toBe(oa.validate);
      expect(ob.initial, path).toBe(oa.initial);
      expect(ob.liveValue, path).toBe(oa.liveValue);
      expect(ob.live, path).toBe(oa.live);
      expect(ob.params, path).toBe(oa.params);
      expect(ob.liveParams, path).toBe(oa.liveParams);
    }
    // Commands: one function for the fleet, the gateway's state beside it.
    for (const [path, name] of [
      ['Device.BulkData.Profile.{i}.', 'ForceCollection()'],
      ['Device.LocalAgent.Certificate.{i}.', 'Delete()'],
      ['Device.LocalAgent.Certificate.{i}.', 'GetFingerprint()'],
      ['Device.LocalAgent.', 'AddCertificate()'],
      ['Device.LocalAgent.Controller.{i}.', 'AddMyCertificate()'],
      ['Device.SoftwareModules.', 'InstallDU()'],
      ['Device.SoftwareModules.ExecEnv.{i}.', 'Restart()'],
      ['Device.SoftwareModules.DeploymentUnit.{i}.', 'Uninstall()'],
      ['Device.SoftwareModules.ExecutionUnit.{i}.', 'SetRequestedState()'],
      ['Device.', 'Reboot()'],
      ['Device.', 'FactoryReset()'],
      ['Device.LocalAgent.ControllerTrust.', 'RequestChallenge()'],
      ['Device.DeviceInfo.VendorConfigFile.{i}.', 'Backup()'],
      ['Device.DeviceInfo.VendorConfigFile.{i}.', 'Restore()'],
      ['Device.DeviceInfo.FirmwareImage.{i}.', 'Download()'],
      ['Device.IP.Diagnostics.', 'IPPing()'],
      ['Device.IP.Diagnostics.', 'TraceRoute()'],
      ['Device.IP.Diagnostics.', 'DownloadDiagnostics()'],
      ['Device.WiFi.', 'NeighboringWiFiDiagnostic()'],
      ['Device.MQTT.Client.{i}.', 'ForceReconnect()'],
    ] as const) {
      expect(command(b, path, name), path + name).not.toBe(command(a, path, name));
      expect(command(b, path, name).run, path + name).toBe(command(a, path, name).run);
      expect(command(b, path, name).precheck, path + name).toBe(command(a, path, name).precheck);
    }
    // Nothing of the gateway in it: one binding for the fleet.
    expect(command(b, 'Device.', 'ScheduleTimer()')).toBe(command(a, 'Device.', 'ScheduleTimer()'));
    // The simulated gateway's picture never changes: one table binding for the fleet (the agent holds each gateway's Alias beside it).
    const images = (x: Agent) => (binding(x, 'Device.DeviceInfo.DeviceImageFile.{i}.') as ExtraParamsBinding).inner;
    expect(images(b)).toBe(images(a));
    expect(await values(b, 'Device.DeviceInfo.DeviceImageFile.{i}.', [1])).toMatchObject({ Location: 'Front', Alias: 'cpe-1' });
    expect(command(b, 'Device.', 'SelfTestDiagnostics()').run).toBe(command(a, 'Device.', 'SelfTestDiagnostics()').run);
    // What the agent holds beside a platform's objects (a table's Alias, agent/baseline/agent-held.ts).
    const decorated = [...a.model.supportedNodes()].filter((n) => a.model.bindingOf(n) instanceof ExtraParamsBinding).map((n) => n.supportedPath);
    expect(decorated.some((p) => p.endsWith('{i}.'))).toBe(true);
    for (const path of decorated) {
      expect(binding(b, path).get, path).toBe(binding(a, path).get);
      expect(binding(b, path).set, path).toBe(binding(a, path).set);
      expect(binding(b, path).list, path).toBe(binding(a, path).list);
      expect(binding(b, path).params, path).toBe(binding(a, path).params);
    }
    for (const path of ['Device.IP.Diagnostics.']) {
      expect(binding(b, path).get, path).toBe(binding(a, path).get);
      expect(binding(b, path).params, path).toBe(binding(a, path).params);
    }
  });

  it('reach the agent through methods the fleet shares, not closures per gateway', async () => {
    const [a, b] = await fleet(2);
    // Device.MQTT.: stored options, Stats. and Capabilities. over the gateway's running MTPs.
    for (const path of ['Device.MQTT.Client.{i}.', 'Device.MQTT.Client.{i}.Subscription.{i}.']) {
      const [oa, ob] = [options(a, path), options(b, path)];
      expect(ob, path).not.toBe(oa);
      expect(ob.liveValue, path).toBe(oa.liveValue);
      expect(ob.validate, path).toBe(oa.validate);
      expect(ob.params, path).toBe(oa.params);
      expect(ob.liveParams, path).toBe(oa.liveParams);
    }
    expect(binding(b, 'Device.MQTT.Client.{i}.Stats.').get).toBe(binding(a, 'Device.MQTT.Client.{i}.Stats.').get);
    expect(binding(b, 'Device.MQTT.Client.{i}.Stats.').params).toBe(binding(a, 'Device.MQTT.Client.{i}.Stats.').params);
    expect(binding(b, 'Device.MQTT.Capabilities.')).toBe(binding(a, 'Device.MQTT.Capabilities.'));
    // The callbacks the parts were handed (AgentWiring.ts): one object per gateway, its methods the fleet's.
    const wiring = (x: Agent) => (options(x, 'Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.') as unknown as { info: Record<string, unknown> }).info;
    expect(wiring(b)).not.toBe(wiring(a));
    for (const m of ['now', 'currentRetryCount', 'restart', 'settle', 'mqttClientFor', 'links', 'endpointId', 'profileAccess']) expect(wiring(b)[m], m).toBe(wiring(a)[m]);
    const reboot = (x: Agent) => (command(x, 'Device.', 'Reboot()') as unknown as { state: unknown }).state;
    expect(reboot(a)).toBe(wiring(a));
    const deps = (x: Agent) => (x.processor as unknown as { deps: Record<string, unknown> }).deps;
    expect(deps(b).endpointId).toBe(deps(a).endpointId);
    expect(deps(b).onResponse).toBe(deps(a).onResponse);
    expect(b.notifications.start).toBe(a.notifications.start);
    expect(b.notifications.stop).toBe(a.notifications.stop);
    // The MTP supervision and the WAN-up watch are objects whose methods the fleet shares.
    type Held = { mtpSupervision: Record<string, unknown>; wanWatch: Record<string, unknown> };
    const held = (x: Agent) => x as unknown as Held;
    for (const m of ['freeze', 'stop']) expect(held(b).mtpSupervision[m], m).toBe(held(a).mtpSupervision[m]);
    expect(held(b).wanWatch.modelChanged).toBe(held(a).wanWatch.modelChanged);
    // The notification side hands its timers, the Subscription index and the operation runner
    // objects, not a closure each: the engine and Periodic! are what they call.
    type Engine = { index: { changeListeners: Set<unknown> }; ttlTimer: { target: unknown }; valueWatch: unknown };
    const engine = a.notifications.engine as unknown as Engine;
    expect([...engine.index.changeListeners].some((l) => typeof l === 'function')).toBe(false);
    expect(engine.ttlTimer.target).toBe(engine);
    expect(engine.valueWatch).toBe(a.notifications.poller);
    expect((a.operations as unknown as { listenersOf?: unknown }).listenersOf).toBeUndefined();
    // ... reading each gateway's own state.
    expect((deps(a).endpointId as () => string).call(deps(a))).toBe('proto::sharing-1');
    expect((deps(b).endpointId as () => string).call(deps(b))).toBe('proto::sharing-2');
  });

  it('follow their model with observer objects, not listener functions, an MQTT MTP running too', async () => {
    // A broker that is not there: the MTP runs (and retries) all the same.
    const mqtt = (unit: number): Record<string, Value> => ({
      'Device.LocalAgent.MTP.1.Enable': true,
      'Device.LocalAgent.MTP.1.Protocol': 'MQTT',
      'Device.LocalAgent.MTP.1.MQTT.Reference': 'Device.MQTT.Client.1',
      'Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured': `usp/agent/sharing-${unit}`,
      'Device.MQTT.Client.1.Enable': true,
      'Device.MQTT.Client.1.BrokerAddress': '127.0.0.1',
      'Device.MQTT.Client.1.BrokerPort': 1,
      'Device.MQTT.Client.1.ClientID': `sharing-${unit}`,
    });
    const [a, b] = await fleet(2, mqtt);
    const listeners = (x: Agent) => [...(x.model.changes as unknown as { listeners: Set<unknown> }).listeners];
    expect(a.dialledLinks.total).toBe(1);
    expect(listeners(a).filter((l) => typeof l === 'function')).toEqual([]);
    expect(listeners(b).filter((l) => typeof l === 'function')).toEqual([]);
  });

  it('keep what one gateway is told out of the others', async () => {
    const [a, b] = await fleet(2);
    const echo = 'Device.IP.Diagnostics.UDPEchoConfig.';
    await Transaction.run(a.model, {}, async (tx) => {
      await tx.set({ node: a.model.requireNode(echo), keys: [] }, { UDPPort: 7001 });
      await tx.add(a.model.requireNode('Device.BulkData.Profile.{i}.'), [], { Alias: 'only-a', ReportingInterval: 300 });
    });
    expect((await values(a, echo)).UDPPort).toBe(7001);
    expect((await values(b, echo)).UDPPort).not.toBe(7001);
    expect(await binding(a, 'Device.BulkData.Profile.{i}.').list!([], {})).toHaveLength(1);
    expect(await binding(b, 'Device.BulkData.Profile.{i}.').list!([], {})).toHaveLength(0);
    // Each reads its own identity and checks against its own rows.
    expect((await values(a, 'Device.LocalAgent.')).EndpointID).toBe('proto::sharing-1');
    expect((await values(b, 'Device.LocalAgent.')).EndpointID).toBe('proto::sharing-2');
    expect((await values(b, 'Device.LocalAgent.')).SupportedProtocols).toBe('WebSocket,MQTT,UDS');
    expect((await values(b, 'Device.BulkData.')).MaxNumberOfProfiles).toBe((await values(a, 'Device.BulkData.')).MaxNumberOfProfiles);
    await expect(Transaction.run(a.model, {}, (tx) => tx.add(a.model.requireNode('Device.BulkData.Profile.{i}.'), [], { Alias: 'only-a' }))).rejects.toThrow();
    await Transaction.run(b.model, {}, (tx) => tx.add(b.model.requireNode('Device.BulkData.Profile.{i}.'), [], { Alias: 'only-a' }));
  });
});
