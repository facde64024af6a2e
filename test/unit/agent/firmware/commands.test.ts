/**
 * Download() and Activate() over the simulated backend, run by the real OperationRunner (Request
 * rows, cancellation, completion) with input typed and defaulted as handle-operate does. Checks
 * statuses, TransferComplete! arguments and that it follows the OperationComplete.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerFirmwareCommands } from '../../../../agent/firmware/register-firmware.js';
import { OperationRunner, type OperationOutcome } from '../../../../agent/operate/OperationRunner.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { defaultValue } from '../../../../datamodel/value/default-value.js';
import { parseValue } from '../../../../datamodel/value/parse-value.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { registerFirmwareImages, SimulatedFirmware } from '../../../../platform/simulated/firmware.js';
import { SimContext } from '../../../../platform/simulated/SimContext.js';
import { simImage, startImageServer, type ImageServer } from './image-server.js';

const schema = Schema.load();
const IMAGE = simImage('3.3.0', { name: 'FG5600-3.3.0', size: 100_000 });
const SHA256 = createHash('sha256').update(IMAGE).digest('hex');
const CONTROLLER = { controllerId: 'proto::controller-1', controllerPath: 'Device.LocalAgent.Controller.1' };

let server: ImageServer;
beforeAll(async () => {
  server = await startImageServer();
  server.routes.set('/fg5600-3.3.0.img', { body: IMAGE });
  server.routes.set('/slow.img', { body: IMAGE, stallAfter: 500 });
});
afterAll(async () => {
  await server.close();
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(dir?: string) {
  const model = new DataModel(schema);
  const ctx = new SimContext(model, 1, Date.now, new DataStore(dir));
  const fw = new SimulatedFirmware(ctx, { factoryVersion: '3.2.1-sim' });
  registerFirmwareImages(ctx, fw);
  const restarts: Array<[string, string]> = [];
  let settled = 0;
  registerFirmwareCommands(model, fw, {
    log: silentLogger,
    actions: {
      restart: (cause, key) => {
        restarts.push([cause, key]);
      },
      settle: async () => {
        settled++;
      },
    },
    limits: { idleTimeoutMs: 5000 },
  });
  const runner = new OperationRunner(model, silentLogger);
  const node = model.requireNode('Device.DeviceInfo.FirmwareImage.{i}.');
  /** Everything that happened, in order: OperationComplete outcomes and TransferComplete! events. */
  const log: Array<{ outcome: OperationOutcome } | { event: Extract<Change, { kind: 'event' }> }> = [];
  runner.onComplete((outcome) => log.push({ outcome }));
  model.changes.subscribe((c) => {
    if (c.kind === 'event') log.push({ event: c });
  });

  /** Starts a command as handle-operate does: input typed and defaulted by the schema. */
  function operate(bank: number, command: 'Download()' | 'Activate()', given: Record<string, string>, commandKey = 'key-1'): string {
    const cmd = node.commands.get(command)!;
    const input: Record<string, Value> = {};
    for (const a of cmd.def.input) {
      if (a.name.includes('{i}')) continue;
      input[a.name] = given[a.name] === undefined ? defaultValue(a) : parseValue(a, given[a.name]);
    }
    for (const [k, v] of Object.entries(given)) if (/\.\d+\./.test(k)) input[k] = v;
    return runner.startAsync(model.commandBinding(node, command)!, { node, keys: [bank] }, command, input, commandKey, CONTROLLER);
  }
  const row = async (bank: number) => model.readValues({ node, keys: [bank] }, {});
  /** Waits for the OperationComplete, then a moment for what is scheduled after it (TransferComplete!). */
  async function finished(): Promise<{ outcome: OperationOutcome; event?: Record<string, Value> }> {
    const outcomeOf = () => log.find((l): l is { outcome: OperationOutcome } => 'outcome' in l)?.outcome;
    for (let i = 0; i < 500 && !outcomeOf(); i++) await new Promise((r) => setTimeout(r, 10));
    const outcome = outcomeOf();
    if (!outcome) throw new Error('command did not finish');
    await new Promise((r) => setTimeout(r, 50));
    const event = log.find((l): l is { event: Extract<Change, { kind: 'event' }> } => 'event' in l)?.event;
    return { outcome, event: event?.args };
  }
  return { model, fw, runner, operate, row, finished, log, restarts, settled: () => settled };
}

describe('Download()', () => {
  it('downloads, verifies SHA-256, installs, and sends TransferComplete! after the OperationComplete', async () => {
    const s = setup();
    const url = server.url('/fg5600-3.3.0.img');
    expect(s.operate(2, 'Download()', { URL: url, AutoActivate: 'false', CheckSumAlgorithm: 'SHA-256', CheckSum: SHA256.toUpperCase(), FileSize: String(IMAGE.length) })).toBe(
      'Device.LocalAgent.Request.1.',
    );
    const { outcome, event } = await s.finished();
    expect(outcome.failure).toBeUndefined();
    expect(s.log.map((l) => ('outcome' in l ? 'OperationComplete' : l.event.event))).toEqual(['OperationComplete', 'TransferComplete!']);
    expect(s.log[1]).toMatchObject({ event: { path: 'Device.LocalAgent.', event: 'TransferComplete!' } });
    expect(event).toMatchObject({
      Command: 'Device.DeviceInfo.FirmwareImage.2.Download()',
      CommandKey: 'key-1',
      Requestor: 'proto::controller-1',
      TransferType: 'Download',
      Affected: 'Device.DeviceInfo.FirmwareImage.2.',
      TransferURL: url,
      FaultCode: 0,
      FaultString: '',
      CheckSumAlgorithm: 'SHA-256',
      CheckSum: SHA256,
    });
    expect(String(event!.StartTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(event!.CompleteTime).not.toBe('0001-01-01T00:00:00Z');
    expect(await s.row(2)).toMatchObject({ Status: 'Available', Version: '3.3.0', Name: 'FG5600-3.3.0', Available: true });
    expect(s.restarts).toEqual([]);
  });

  it('a wrong checksum: ValidationFailed, cmd_failure 7022 and a TransferComplete! with the fault', async () => {
    const s = setup();
    s.operate(2, 'Download()', { URL: server.url('/fg5600-3.3.0.img'), AutoActivate: 'false', CheckSumAlgorithm: 'SHA-256', CheckSum: '00'.repeat(32) });
    const { outcome, event } = await s.finished();
    expect(outcome.failure?.code).toBe(ErrorCode.CommandFailure);
    expect(event).toMatchObject({ FaultCode: ErrorCode.CommandFailure, CheckSum: SHA256 });
    expect(String(event!.FaultString)).toMatch(/checksum mismatch/);
    expect(await s.row(2)).toMatchObject({ Status: 'ValidationFailed', Version: '' });
  });

  it('a 404: DownloadFailed, Unknown CompleteTime', async () => {
    const s = setup();
    s.operate(2, 'Download()', { URL: server.url('/missing.img'), AutoActivate: 'false' });
    const { outcome, event } = await s.finished();
    expect(outcome.failure?.code).toBe(ErrorCode.CommandFailure);
    expect(event).toMatchObject({ FaultCode: ErrorCode.CommandFailure, FaultString: 'HTTP 404 Not Found', CompleteTime: '0001-01-01T00:00:00Z' });
    expect(await s.row(2)).toMatchObject({ Status: 'DownloadFailed' });
  });

  it('refusals before the transfer: userinfo 7004, CheckSum without algorithm 7027, FileSize over the limit 7005 — no TransferComplete!', async () => {
    for (const [given, code] of [
      [{ URL: 'http://user:pw@127.0.0.1/x.img' }, ErrorCode.InvalidArguments],
      [{ URL: 'ftp://127.0.0.1/x.img' }, ErrorCode.InvalidArguments],
      [{ URL: server.url('/fg5600-3.3.0.img'), FileSize: String(100 * 1024 * 1024) }, ErrorCode.ResourcesExceeded],
    ] as const) {
      const s = setup();
      s.operate(2, 'Download()', { AutoActivate: 'false', ...given });
      const { outcome, event } = await s.finished();
      expect(outcome.failure?.code).toBe(code);
      expect(event).toBeUndefined();
      expect(await s.row(2)).toMatchObject({ Status: 'NoImage' });
    }
  });

  it('Cancel(): 7023, the bank back as it was, TransferComplete! with 7023', async () => {
    const s = setup();
    const req = s.operate(2, 'Download()', { URL: server.url('/slow.img'), AutoActivate: 'false' });
    await new Promise((r) => setTimeout(r, 150));
    expect(await s.row(2)).toMatchObject({ Status: 'Downloading' });
    s.runner.cancel(Number(req.split('.')[3]));
    const { outcome, event } = await s.finished();
    expect(outcome.failure?.code).toBe(ErrorCode.CommandCanceled);
    expect(event).toMatchObject({ FaultCode: ErrorCode.CommandCanceled });
    expect(await s.row(2)).toMatchObject({ Status: 'NoImage' });
  });

  it('AutoActivate: BootFirmwareImage set, then a RemoteReboot with the CommandKey after the notifications settle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-fw-cmd-'));
    dirs.push(dir);
    const s = setup(dir);
    s.operate(2, 'Download()', { URL: server.url('/fg5600-3.3.0.img'), AutoActivate: 'true' }, 'upgrade-7');
    await s.finished();
    expect(s.fw.bootImage()).toBe('Device.DeviceInfo.FirmwareImage.2');
    for (let i = 0; i < 100 && s.restarts.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.restarts).toEqual([['RemoteReboot', 'upgrade-7']]);
    expect(s.settled()).toBe(1);
    // The next boot runs it and says so once.
    const after = setup(dir);
    expect(after.fw.activeImage()).toBe('Device.DeviceInfo.FirmwareImage.2');
    expect(after.fw.takeFirmwareUpdated()).toBe(true);
  });
});

describe('Activate()', () => {
  const NOW = { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'Immediately' };

  it('an available image: OperationComplete, then the reboot into it', async () => {
    const s = setup();
    s.operate(2, 'Download()', { URL: server.url('/fg5600-3.3.0.img'), AutoActivate: 'false' });
    await s.finished();
    s.log.length = 0;
    s.operate(2, 'Activate()', NOW, 'act-1');
    const { outcome } = await s.finished();
    expect(outcome.failure).toBeUndefined();
    expect(s.fw.bootImage()).toBe('Device.DeviceInfo.FirmwareImage.2');
    for (let i = 0; i < 100 && s.restarts.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.restarts).toEqual([['RemoteReboot', 'act-1']]);
  });

  it('an empty bank: cmd_failure 7022, no reboot; no usable window: 7022; bad windows: 7027', async () => {
    const s = setup();
    s.operate(2, 'Activate()', NOW);
    expect((await s.finished()).outcome.failure?.code).toBe(ErrorCode.CommandFailure);
    s.log.length = 0;
    s.operate(1, 'Activate()', { ...NOW, 'TimeWindow.1.Mode': 'ConfirmationNeeded' });
    expect((await s.finished()).outcome.failure?.code).toBe(ErrorCode.CommandFailure);
    s.log.length = 0;
    s.operate(1, 'Activate()', { 'TimeWindow.1.Start': '0' });
    expect((await s.finished()).outcome.failure?.code).toBe(ErrorCode.InvalidCommandArgs);
    expect(s.restarts).toEqual([]);
  });

  it('a later window waits, and Cancel() in the meantime changes nothing (7023)', async () => {
    const s = setup();
    const req = s.operate(1, 'Activate()', { 'TimeWindow.1.Start': '3600', 'TimeWindow.1.End': '7200', 'TimeWindow.1.Mode': 'AnyTime' });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.runner.activeCount).toBe(1);
    s.runner.cancel(Number(req.split('.')[3]));
    expect((await s.finished()).outcome.failure?.code).toBe(ErrorCode.CommandCanceled);
    expect(s.restarts).toEqual([]);
  });
});
