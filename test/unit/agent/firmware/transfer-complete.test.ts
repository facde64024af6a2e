/** TransferComplete! arguments and the per-controller ResultTypeFilter (agent/firmware/transfer-complete.ts). */
import { describe, expect, it } from 'vitest';
import { recipientWantsTransferComplete, transferCompleteArgs, transferCompleteWanted } from '../../../../agent/firmware/transfer-complete.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { registerStored } from '../../../../datamodel/store/stored-binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';

describe('transferCompleteWanted (Controller.{i}.TransferCompletePolicy.ResultTypeFilter)', () => {
  it('Success admits FaultCode 0 only, Failure the rest, Both and "" everything', () => {
    expect([0, 7022].map((f) => transferCompleteWanted('Success', f))).toEqual([true, false]);
    expect([0, 7022].map((f) => transferCompleteWanted('Failure', f))).toEqual([false, true]);
    expect([0, 7022].map((f) => transferCompleteWanted('Both', f))).toEqual([true, true]);
    expect([0, 7022].map((f) => transferCompleteWanted('', f))).toEqual([true, true]);
    expect([0, 7022].map((f) => transferCompleteWanted(undefined, f))).toEqual([true, true]);
  });

  it('is judged per recipient from its Controller row', async () => {
    const model = new DataModel(Schema.load());
    const store = new DataStore();
    registerStored(model, store, 'Device.LocalAgent.Controller.{i}.');
    registerStored(model, store, 'Device.LocalAgent.Controller.{i}.TransferCompletePolicy.');
    store.allocate('Device.LocalAgent.Controller.', 1);
    store.setRow('Device.LocalAgent.Controller.1.', { EndpointID: 'proto::a' });
    store.setRow('Device.LocalAgent.Controller.1.TransferCompletePolicy.', { ResultTypeFilter: 'Failure' });
    store.allocate('Device.LocalAgent.Controller.', 2);
    store.setRow('Device.LocalAgent.Controller.2.', { EndpointID: 'proto::b' });
    store.setRow('Device.LocalAgent.Controller.2.TransferCompletePolicy.', { ResultTypeFilter: 'Both' });
    expect(await recipientWantsTransferComplete(model, 'proto::a', { FaultCode: 0 })).toBe(false);
    expect(await recipientWantsTransferComplete(model, 'proto::a', { FaultCode: 7022 })).toBe(true);
    expect(await recipientWantsTransferComplete(model, 'proto::b', { FaultCode: 0 })).toBe(true);
    expect(await recipientWantsTransferComplete(model, 'proto::unknown', { FaultCode: 0 })).toBe(true);
    // A controller that never set its policy reads "Both" (schema override) and hears of every result.
    store.allocate('Device.LocalAgent.Controller.', 3);
    store.setRow('Device.LocalAgent.Controller.3.', { EndpointID: 'proto::c' });
    const policy = model.requireNode('Device.LocalAgent.Controller.{i}.TransferCompletePolicy.');
    expect((await model.readValues({ node: policy, keys: [3] }, {})).ResultTypeFilter).toBe('Both');
    expect(await recipientWantsTransferComplete(model, 'proto::c', { FaultCode: 0 })).toBe(true);
    expect(await recipientWantsTransferComplete(model, 'proto::c', { FaultCode: 7022 })).toBe(true);
  });
});

describe('transferCompleteArgs', () => {
  const base = {
    command: 'Device.DeviceInfo.FirmwareImage.2.Download()',
    commandKey: 'k',
    requestor: 'proto::c',
    transferType: 'Download' as const,
    affected: 'Device.DeviceInfo.FirmwareImage.2.',
    url: 'https://fw/x.img',
    startTime: new Date('2025-03-10T08:00:00.123Z'),
    checkSumAlgorithm: 'SHA-256' as const,
    checkSum: 'ab',
  };

  it('success: FaultCode 0, empty FaultString, whole-second UTC times', () => {
    expect(transferCompleteArgs({ ...base, completeTime: new Date('2025-03-10T08:00:05Z'), faultCode: 0, faultString: 'ignored' })).toEqual({
      Command: base.command,
      CommandKey: 'k',
      Requestor: 'proto::c',
      TransferType: 'Download',
      Affected: base.affected,
      TransferURL: base.url,
      StartTime: '2025-03-10T08:00:00Z',
      CompleteTime: '2025-03-10T08:00:05Z',
      FaultCode: 0,
      FaultString: '',
      CheckSumAlgorithm: 'SHA-256',
      CheckSum: 'ab',
    });
  });

  it('an unfinished transfer has the Unknown CompleteTime; FaultString is bounded to 256 characters', () => {
    const a = transferCompleteArgs({ ...base, faultCode: 7022, faultString: 'x'.repeat(300) });
    expect(a.CompleteTime).toBe('0001-01-01T00:00:00Z');
    expect([...String(a.FaultString)].length).toBe(256);
  });
});
