/**
 * The MQTT report channel's retention (TR-181 Profile.{i}.NumberOfRetainedFailedReports): reports
 * that could not be published are sent with the next one, oldest dropped first, bounded. The
 * publisher here is the channel's own seam (MqttReportPublisher), not an MQTT peer: the broker
 * path is covered end to end in test/integration/bulkdata-mqtt.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { encodeJson } from '../../../../agent/bulkdata/encode-json.js';
import { MAX_RETAINED_REPORTS, mqttReportChannel, type MqttReportPublisher } from '../../../../agent/bulkdata/mqtt-channel.js';
import type { CollectedReport } from '../../../../agent/bulkdata/report-contract.js';
import { silentLogger } from '../../../../datamodel/Logger.js';

const report = (s: number): CollectedReport => ({ collectedAt: new Date(s * 1000), entries: [] });

function channel(retain: number, publisher: MqttReportPublisher, reference = 'Device.MQTT.Client.1', encoding = (): string => 'JSON') {
  return mqttReportChannel({
    target: () => ({ reference, publishTopic: 't', publishQoS: 1, publishRetain: false, numberOfRetainedFailedReports: retain, encodingType: encoding() }),
    encode: (r) => encodeJson(r, { reportFormat: 'NameValuePair', reportTimestamp: 'Unix-Epoch' }),
    clientFor: (row) => (row === 'Device.MQTT.Client.1.' ? publisher : undefined),
    log: silentLogger,
  });
}

/** A publisher that fails the first `failures` publishes and records the CollectionTimes it was given. */
function publisher(failures: number): MqttReportPublisher & { sent: number[][] } {
  let left = failures;
  const sent: number[][] = [];
  return {
    sent,
    publishMessage(_topic, payload) {
      const times = (JSON.parse(Buffer.from(payload).toString('utf8')) as { Report: Array<{ CollectionTime: number }> }).Report.map((r) => r.CollectionTime);
      if (left-- > 0) return Promise.resolve(false);
      sent.push(times);
      return Promise.resolve(true);
    },
  };
}

describe('MQTT report channel retention', () => {
  it('0: a failed report is dropped', async () => {
    const p = publisher(1);
    const ch = channel(0, p);
    expect(await ch.deliver(report(1))).toMatchObject({ ok: false, retained: false });
    expect(await ch.deliver(report(2))).toEqual({ ok: true });
    expect(p.sent).toEqual([[2]]);
  });

  it('2: the two newest failed reports go with the next one, oldest first', async () => {
    const p = publisher(3);
    const ch = channel(2, p);
    for (const s of [1, 2, 3]) expect(await ch.deliver(report(s))).toMatchObject({ ok: false, retained: true });
    expect(await ch.deliver(report(4))).toEqual({ ok: true });
    expect(p.sent).toEqual([[2, 3, 4]]);
    expect(await ch.deliver(report(5))).toEqual({ ok: true });
    expect(p.sent[1]).toEqual([5]);
  });

  it('a changed EncodingType deletes the retained reports', async () => {
    const p = publisher(2);
    let encoding = 'CSV';
    const ch = channel(5, p, 'Device.MQTT.Client.1', () => encoding);
    await ch.deliver(report(1));
    await ch.deliver(report(2));
    encoding = 'JSON';
    expect(await ch.deliver(report(3))).toEqual({ ok: true });
    expect(p.sent).toEqual([[3]]);
  });

  it('-1: as many as the bound allows', async () => {
    const p = publisher(40);
    const ch = channel(-1, p);
    for (let s = 1; s <= 40; s++) await ch.deliver(report(s));
    await ch.deliver(report(41));
    expect(p.sent[0]).toHaveLength(MAX_RETAINED_REPORTS + 1);
    expect(p.sent[0].at(-1)).toBe(41);
  });

  it('a Reference to no running client fails with a reason naming it', async () => {
    const ch = channel(0, publisher(0), 'Device.MQTT.Client.7');
    const out = await ch.deliver(report(1));
    expect(out).toMatchObject({ ok: false });
    expect(out.ok ? '' : out.reason).toContain('Device.MQTT.Client.7');
  });
});
