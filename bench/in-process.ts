/**
 * In-process measurements on an agent started with Agent.start (silent logger, no process
 * boundary, no WebSocket): the handler alone, the agent-side codec, and the whole receive
 * pipeline (RecordProcessor.onRecord with a connection that just collects the answer). Together
 * with the end-to-end figures they say where a request's time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent/Agent.js';
import { ControllerDirectory } from '../agent/ControllerDirectory.js';
import { encodeMsg, responseMsg } from '../agent/codec/msg.js';
import { encodeRecord, noSessionContextRecord } from '../agent/codec/record.js';
import type { GetReq, GetSupportedDMReq, UspMsg } from '../agent/codec/types.js';
import { handleGet } from '../agent/handlers/handle-get.js';
import { handleGetSupportedDM } from '../agent/handlers/handle-get-supported-dm.js';
import type { HandlerContext } from '../agent/handlers/HandlerContext.js';
import { silentLogger } from '../datamodel/Logger.js';
import type { MtpConnection } from '../mtp/Mtp.js';
import { freePort } from './port.js';
import { answerMsg, countGetRespParams } from './requests.js';
import { AGENT_EID, CONTROLLER_EID, benchDefaults } from './agent-config.js';
import { median, round } from './stats.js';

/** Per-call times (ms) of `fn` repeated for about `budgetMs` after `warmup` calls (at least `minReps`). */
export async function timeCalls(fn: () => unknown, budgetMs: number, warmup = 3, minReps = 5): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (times.length < minReps || performance.now() < end) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

/** Collects what the agent sends back; resolves the awaiting request. */
class CaptureConnection implements MtpConnection {
  readonly protocol = 'WebSocket' as const;
  readonly open = true;
  private waiter?: (r: Uint8Array) => void;
  constructor(readonly peerEndpointId: string) {}
  next(): Promise<Uint8Array> {
    return new Promise((r) => {
      this.waiter = r;
    });
  }
  send(record: Uint8Array): boolean {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(record);
    return true;
  }
  close(): void {
    /* nothing to close */
  }
}

const us = (ms: number): number => round(ms * 1000, 2);

export interface InProcessRequests {
  getSerial: Buffer;
  getDevice: Buffer;
}

export async function measureInProcess(records: InProcessRequests, budgetMs: number): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-bench-inproc-'));
  const agent = await Agent.start({ defaults: benchDefaults(await freePort()), dataDir, platform: 'simulated', log: silentLogger });
  try {
    const controller = await new ControllerDirectory(agent.model).lookup(CONTROLLER_EID);
    const h: HandlerContext = {
      model: agent.model,
      operations: agent.operations,
      log: silentLogger,
      req: { controllerId: CONTROLLER_EID, controllerPath: controller?.path ?? '' },
    };
    const getDevice: GetReq = { paramPaths: ['Device.'], maxDepth: 0 };
    const getSerial: GetReq = { paramPaths: ['Device.DeviceInfo.SerialNumber'], maxDepth: 0 };
    const gsdm: GetSupportedDMReq = { objPaths: ['Device.'], firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true };

    const deviceResp = responseMsg('bench-inproc', { respType: 'getResp', getResp: await handleGet(h, getDevice) });
    const params = countGetRespParams(deviceResp);
    const encodeAnswer = (m: UspMsg): Uint8Array => encodeRecord(noSessionContextRecord({ toId: CONTROLLER_EID, fromId: AGENT_EID }, encodeMsg(m)));

    const handlerMs = median(await timeCalls(() => handleGet(h, getDevice), budgetMs));
    const encodeMs = median(await timeCalls(() => encodeAnswer(deviceResp), budgetMs / 2));

    // The whole receive pipeline minus the WebSocket: decode, dispatch, handler, encode.
    const conn = new CaptureConnection(CONTROLLER_EID);
    const viaProcessor = async (record: Buffer): Promise<Uint8Array> => {
      const answer = conn.next();
      agent.processor.onRecord(record, conn);
      return answer;
    };
    if (countGetRespParams(answerMsg(await viaProcessor(records.getDevice))) !== params) throw new Error('processor and handler disagree on the parameter count');
    const pipelineDeviceMs = median(await timeCalls(() => viaProcessor(records.getDevice), budgetMs));
    const pipelineSerialMs = median(await timeCalls(() => viaProcessor(records.getSerial), budgetMs / 2, 200, 2000));
    const handlerSerialMs = median(await timeCalls(() => handleGet(h, getSerial), budgetMs / 2, 200, 2000));

    const gsdmResp = responseMsg('bench-inproc', { respType: 'getSupportedDmResp', getSupportedDmResp: await handleGetSupportedDM(h, gsdm) });
    const gsdmHandlerMs = median(await timeCalls(() => handleGetSupportedDM(h, gsdm), budgetMs, 1, 3));
    const gsdmEncodeMs = median(await timeCalls(() => encodeAnswer(gsdmResp), budgetMs / 2, 1, 3));

    return {
      getDeviceTree: {
        params,
        handleGet_usPerParam: { value: round((handlerMs * 1000) / params, 3), unit: 'µs/param', note: 'handleGet only (resolve, readValues/bindings, formatValue)' },
        encodeResponse_usPerParam: { value: round((encodeMs * 1000) / params, 3), unit: 'µs/param', note: 'encodeMsg + encodeRecord of the GetResp' },
        recordPipeline_usPerParam: { value: round((pipelineDeviceMs * 1000) / params, 3), unit: 'µs/param', note: 'RecordProcessor.onRecord: decode, dispatch, handler, encode; no WebSocket' },
        handleGet_ms: round(handlerMs, 3),
        encodeResponse_ms: round(encodeMs, 3),
        recordPipeline_ms: round(pipelineDeviceMs, 3),
      },
      getOneParam: {
        handleGet_us: { value: us(handlerSerialMs), unit: 'µs', note: 'Get Device.DeviceInfo.SerialNumber, handler only' },
        recordPipeline_us: { value: us(pipelineSerialMs), unit: 'µs', note: 'same Get through RecordProcessor.onRecord (no WebSocket), one at a time' },
        recordPipelineCeiling_perSecond: { value: Math.round(1000 / pipelineSerialMs), unit: 'requests/s', note: '1 / recordPipeline_us: the agent-side ceiling before any transport cost' },
      },
      getSupportedDmDevice: {
        handler_ms: { value: round(gsdmHandlerMs, 2), unit: 'ms' },
        encodeResponse_ms: { value: round(gsdmEncodeMs, 2), unit: 'ms' },
      },
    };
  } finally {
    await agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
