/**
 * The report encodings against bodies shaped like TR-369 Annex A's examples (JSON
 * ObjectHierarchy / NameValuePair, CSV ParameterPerRow / ParameterPerColumn), and the Name
 * substitution and scheduling rules of TR-181 BulkData.
 */
import { describe, expect, it } from 'vitest';
import { decodeCharRefs, encodeCsv } from '../../../../agent/bulkdata/encode-csv.js';
import { encodeJson } from '../../../../agent/bulkdata/encode-json.js';
import type { CollectedReport } from '../../../../agent/bulkdata/report-contract.js';
import { reportName } from '../../../../agent/bulkdata/report-names.js';
import { nextReportAt } from '../../../../agent/bulkdata/report-schedule.js';
import { parsePath } from '../../../../datamodel/path/parse-path.js';

const at = new Date(1364529149 * 1000);
const report: CollectedReport = {
  collectedAt: at,
  entries: [
    { name: 'Device.MoCA.Interface.1.Stats.BroadPktSent', path: 'Device.MoCA.Interface.1.Stats.BroadPktSent', value: '25248', type: 'unsignedLong' },
    { name: 'Device.MoCA.Interface.1.Stats.BytesReceived', path: 'Device.MoCA.Interface.1.Stats.BytesReceived', value: '200543250', type: 'unsignedLong' },
    { name: 'Device.MoCA.Interface.1.Enable', path: 'Device.MoCA.Interface.1.Enable', value: true, type: 'boolean' },
    { name: 'Device.MoCA.Interface.1.Name', path: 'Device.MoCA.Interface.1.Name', value: 'moca0, "lan"', type: 'string' },
  ],
};

describe('JSON encoding (Annex A)', () => {
  it('ObjectHierarchy with a Unix-Epoch CollectionTime, numbers and booleans typed', () => {
    const e = encodeJson([report], { reportFormat: 'ObjectHierarchy', reportTimestamp: 'Unix-Epoch' });
    expect(e.contentType).toBe('application/json; charset=UTF-8');
    expect(e.reportFormat).toBe('ObjectHierarchy');
    expect(JSON.parse(e.body)).toEqual({
      Report: [{ CollectionTime: 1364529149, Device: { MoCA: { Interface: { 1: { Stats: { BroadPktSent: 25248, BytesReceived: 200543250 }, Enable: true, Name: 'moca0, "lan"' } } } } }],
    });
    expect(e.body.startsWith('{"Report":[{"CollectionTime":1364529149,')).toBe(true);
  });

  it('NameValuePair, ISO-8601, several collections in one Report array (retained ones first)', () => {
    const later = { ...report, collectedAt: new Date(at.getTime() + 60_000) };
    const e = encodeJson([report, later], { reportFormat: 'NameValuePair', reportTimestamp: 'ISO-8601' });
    const doc = JSON.parse(e.body) as { Report: Array<Record<string, unknown>> };
    expect(doc.Report).toHaveLength(2);
    expect(doc.Report[0]).toEqual({
      CollectionTime: '2013-03-29T03:52:29Z',
      'Device.MoCA.Interface.1.Stats.BroadPktSent': 25248,
      'Device.MoCA.Interface.1.Stats.BytesReceived': 200543250,
      'Device.MoCA.Interface.1.Enable': true,
      'Device.MoCA.Interface.1.Name': 'moca0, "lan"',
    });
    expect(doc.Report[1].CollectionTime).toBe('2013-03-29T03:53:29Z');
  });

  it('ReportTimestamp None leaves CollectionTime out; an unsignedLong beyond 2^53 keeps every digit', () => {
    const big: CollectedReport = { collectedAt: at, entries: [{ name: 'X', path: 'Device.X', value: '18446744073709551615', type: 'unsignedLong' }] };
    expect(encodeJson([big], { reportFormat: 'NameValuePair', reportTimestamp: 'None' }).body).toBe('{"Report":[{"X":18446744073709551615}]}');
  });
});

describe('CSV encoding (Annex A, RFC 4180)', () => {
  it('ParameterPerRow with the ReportTimestamp column, CRLF by default, fields with separators escaped', () => {
    const e = encodeCsv([report], { fieldSeparator: ',', rowSeparator: '', escapeCharacter: '"', reportFormat: 'ParameterPerRow', rowTimestamp: 'Unix-Epoch' });
    expect(e.contentType).toBe('text/csv; charset=UTF-8');
    expect(e.body).toBe(
      [
        'ReportTimestamp,ParameterName,ParameterValue,ParameterType',
        '1364529149,Device.MoCA.Interface.1.Stats.BroadPktSent,25248,unsignedLong',
        '1364529149,Device.MoCA.Interface.1.Stats.BytesReceived,200543250,unsignedLong',
        '1364529149,Device.MoCA.Interface.1.Enable,true,boolean',
        '1364529149,Device.MoCA.Interface.1.Name,"moca0, ""lan""",string',
        '',
      ].join('\r\n'),
    );
  });

  it('ParameterPerColumn: one header of names and one row per collection, ISO-8601, separators as character references', () => {
    const later = { ...report, collectedAt: new Date(at.getTime() + 1000) };
    const e = encodeCsv([report, later], { fieldSeparator: '&#59;', rowSeparator: '&#10;', escapeCharacter: '&quot;', reportFormat: 'ParameterPerColumn', rowTimestamp: 'ISO-8601' });
    const rows = e.body.split('\n');
    expect(rows[0]).toBe('ReportTimestamp;Device.MoCA.Interface.1.Stats.BroadPktSent;Device.MoCA.Interface.1.Stats.BytesReceived;Device.MoCA.Interface.1.Enable;Device.MoCA.Interface.1.Name');
    expect(rows[1]).toBe('2013-03-29T03:52:29Z;25248;200543250;true;"moca0, ""lan"""');
    expect(rows[2].startsWith('2013-03-29T03:52:30Z;')).toBe(true);
    expect(rows).toHaveLength(4);
    expect(e.reportFormat).toBe('ParameterPerColumn');
  });

  it('decodes numeric character references (decimal and hex)', () => {
    expect(decodeCharRefs('&#13;&#10;')).toBe('\r\n');
    expect(decodeCharRefs('&#x7C;')).toBe('|');
    expect(decodeCharRefs(',')).toBe(',');
    expect(decodeCharRefs('&quot;')).toBe('"');
  });
});

describe('report names (TR-181 Parameter.{i}.Name)', () => {
  const name = (ref: string, n: string, full: string): string => reportName(parsePath(ref), n, full);
  it('no Name: the full path', () => {
    expect(name('Device.DeviceInfo.UpTime', '', 'Device.DeviceInfo.UpTime')).toBe('Device.DeviceInfo.UpTime');
  });
  it('a parameter reference: the Name alone', () => {
    expect(name('Device.DeviceInfo.UpTime', 'Up', 'Device.DeviceInfo.UpTime')).toBe('Up');
  });
  it('an object reference: the Name replaces the object path', () => {
    expect(name('Device.WiFi.Radio.1.', 'Radio1', 'Device.WiFi.Radio.1.Stats.BytesSent')).toBe('Radio1.Stats.BytesSent');
  });
  it('wildcards and search expressions: the Name, the matched instance numbers, the rest', () => {
    expect(name('Device.IP.Interface.*.Stats.BytesSent', 'IPBytes', 'Device.IP.Interface.3.Stats.BytesSent')).toBe('IPBytes.3');
    expect(name('Device.IP.Interface.*.IPv4Address.*.', 'Addr', 'Device.IP.Interface.2.IPv4Address.5.IPAddress')).toBe('Addr.2.5.IPAddress');
    expect(name('Device.IP.Interface.[Enable==true].Stats.', 'Up', 'Device.IP.Interface.7.Stats.BytesSent')).toBe('Up.7.BytesSent');
  });
});

describe('report schedule (TR-181 ReportingInterval, TimeReference)', () => {
  const t0 = Date.UTC(2026, 0, 1, 0, 0, 0);
  it('with a TimeReference, reports complete at TimeReference + k × interval, past or future reference alike', () => {
    expect(nextReportAt(t0 + 10_000, 60, t0, 0)).toBe(t0 + 60_000);
    expect(nextReportAt(t0 + 60_000, 60, t0, 0)).toBe(t0 + 120_000);
    expect(nextReportAt(t0 + 10_000, 60, t0 + 86_400_000 * 365, 0)).toBe(t0 + 60_000);
    expect(nextReportAt(t0 + 10_000, 86400, Date.UTC(2000, 0, 1), 0)).toBe(t0 + 86_400_000);
  });
  it('with the Unknown Time, the phase is the anchor (when the Profile was enabled)', () => {
    expect(nextReportAt(t0 + 500, 1, undefined, t0)).toBe(t0 + 1000);
    expect(nextReportAt(t0, 300, undefined, t0)).toBe(t0 + 300_000);
  });
});
