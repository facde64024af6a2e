/**
 * RecordProcessor.onRecord never throws and never leaves a rejection unhandled: a failure of the
 * agent's own code, in the synchronous checks of a Record or in the work that follows them, is
 * logged as "record processing failed". A RecordProcessor over the model of a real agent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeMsg, responseMsg } from '../../agent/codec/msg.js';
import { encodeRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import { ControllerDirectory } from '../../agent/ControllerDirectory.js';
import { RecordProcessor, type RecordProcessorDeps } from '../../agent/RecordProcessor.js';
import { silentLogger, type Logger } from '../../datamodel/Logger.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent();
});
afterAll(async () => {
  await f?.close();
});

const conn: MtpConnection = { protocol: 'WebSocket', peerEndpointId: CONTROLLER_EID, open: true, close: () => undefined, send: () => true };
const notifyResp = encodeRecord(
  noSessionContextRecord({ toId: AGENT_EID, fromId: CONTROLLER_EID }, encodeMsg(responseMsg('n-1', { respType: 'notifyResp', notifyResp: { subscriptionId: 'sub-1' } }))),
);

function processor(extra: Partial<RecordProcessorDeps>): { p: RecordProcessor; errors: string[] } {
  const errors: string[] = [];
  const log: Logger = {
    ...silentLogger,
    error: (msg) => {
      errors.push(msg);
    },
  };
  const p = new RecordProcessor({
    model: f.agent.model,
    operations: f.agent.operations,
    controllers: new ControllerDirectory(f.agent.model),
    log,
    endpointId: () => AGENT_EID,
    ...extra,
  });
  return { p, errors };
}

it('logs a failure in the synchronous checks of a Record instead of throwing', async () => {
  const { p, errors } = processor({
    endpointId: () => {
      throw new Error('no endpoint id');
    },
  });
  expect(() => p.onRecord(notifyResp, conn)).not.toThrow();
  await expect.poll(() => errors).toEqual(['record processing failed']);
});

it('logs a failure in the work after the checks', async () => {
  const { p, errors } = processor({
    onResponse: () => {
      throw new Error('notification engine failed');
    },
  });
  expect(() => p.onRecord(notifyResp, conn)).not.toThrow();
  await expect.poll(() => errors).toEqual(['record processing failed']);
});
