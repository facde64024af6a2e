/**
 * The last line of the response bound (agent/RecordProcessor.ts reply): whatever a handler built,
 * a response Record over the size limit leaves as Error 7005 naming the limit. A RecordProcessor
 * with a small limit over the model of a real agent; the Records it sends are decoded as a
 * controller would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import type { UspMsg } from '../../agent/codec/types.js';
import { ControllerDirectory } from '../../agent/ControllerDirectory.js';
import { RecordProcessor } from '../../agent/RecordProcessor.js';
import { silentLogger } from '../../datamodel/Logger.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent();
});
afterAll(async () => {
  await f?.close();
});

it('a response over the Record limit is replaced by Error 7005 naming the limit; a small one goes out as it is', async () => {
  const processor = new RecordProcessor({
    model: f.agent.model,
    operations: f.agent.operations,
    controllers: new ControllerDirectory(f.agent.model),
    log: silentLogger,
    endpointId: () => AGENT_EID,
    maxResponseSize: 2000,
  });
  const sent: UspMsg[] = [];
  const conn: MtpConnection = {
    protocol: 'WebSocket',
    peerEndpointId: CONTROLLER_EID,
    open: true,
    close: () => undefined,
    send: (bytes) => {
      const rec = decodeRecord(bytes);
      if (rec.body.kind === 'noSessionContext') sent.push(decodeMsg(rec.body.payload));
      return true;
    },
  };
  const ask = (msgId: string, path: string) =>
    processor.onRecord(
      encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: CONTROLLER_EID }, encodeMsg(requestMsg(msgId, { reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } })))),
      conn,
    );
  ask('big', 'Device.DeviceInfo.');
  ask('small', 'Device.LocalAgent.EndpointID');
  await expect.poll(() => sent.length).toBe(2);
  const big = sent.find((m) => m.header.msgId === 'big')!;
  expect(big.body).toMatchObject({ msgBody: 'error', error: { errCode: 7005, errMsg: expect.stringContaining('2000 bytes') } });
  expect(sent.find((m) => m.header.msgId === 'small')!.body.msgBody).toBe('response');
});
