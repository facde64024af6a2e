/**
 * DUStateChange! to a controller over MQTT (a real Mosquitto; test/peers/controller-link.ts):
 * the controller subscribes, InstallDU() and Uninstall() run, and each OperationComplete and
 * DUStateChange! arrives as a Notify over the broker, OperationComplete first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StringMap } from '../../agent/codec/types.js';
import { startAgentWith, type AgentUnderTest, type ReceivedNotify } from '../peers/controller-link.js';
import { add } from '../peers/controller-steps.js';
import { operateOne } from '../peers/operate.js';
import { tarGz } from '../peers/software-packages.js';
import { startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const SM = 'Device.SoftwareModules.';
let a: AgentUnderTest;
let server: ImageServer;

beforeAll(async () => {
  server = await startImageServer();
  server.routes.set('/mq-1.0.tar.gz', { body: tarGz({ 'f.txt': 'f' }, { name: 'mq', version: '1.0', vendor: 'Example' }) });
  a = await startAgentWith('mqtt5');
  for (const [id, type, ref] of [
    ['du', 'Event', `${SM}DUStateChange!`],
    ['oc', 'OperationComplete', SM],
  ]) {
    await add(a.link, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: id, NotifType: type, ReferenceList: ref });
  }
});
afterAll(async () => {
  await a?.stop();
  await server?.close();
});

/** The OperationComplete of `key` and the DUStateChange! after it. */
function pair(key: string) {
  return (ns: ReceivedNotify[]): { ocAt: number; du: StringMap } | undefined => {
    const ocAt = ns.findIndex((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key);
    if (ocAt < 0) return undefined;
    const du = ns.slice(ocAt + 1).find((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'DUStateChange!');
    return du && du.notify.notification === 'event' ? { ocAt, du: du.notify.event.params ?? {} } : undefined;
  };
}

describe('SoftwareModules over MQTT 5', () => {
  it('InstallDU() then Uninstall(): OperationComplete, then DUStateChange!, each over the broker', async () => {
    expect((await operateOne(a.link, `${SM}InstallDU()`, { URL: server.url('/mq-1.0.tar.gz') }, 'mq-i')).operationResp).toBe('reqObjPath');
    const inst = await a.link.waitForNotification(pair('mq-i'), 8000);
    expect(inst.du).toMatchObject({ CurrentState: 'Installed', Version: '1.0', OperationPerformed: 'Install', 'Fault.FaultCode': '0' });
    expect((await operateOne(a.link, `${inst.du.DeploymentUnitRef}.Uninstall()`, {}, 'mq-u')).operationResp).toBe('reqObjPath');
    const un = await a.link.waitForNotification(pair('mq-u'), 8000);
    expect(un.du).toMatchObject({ CurrentState: 'Uninstalled', DeploymentUnitRef: inst.du.DeploymentUnitRef, OperationPerformed: 'Uninstall' });
    // Every one of them came as an MQTT PUBLISH (the link records what the broker delivered).
    expect(a.link.publishes?.length).toBeGreaterThanOrEqual(4);
  });
});
