/** The TR-143 Status each HTTP failure maps to, per direction (TR-181 DownloadDiagnostics()/UploadDiagnostics() Status). */
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { connectFailureStatus, cutShortStatus, httpFailureStatus } from '../../../../agent/diagnostics/transfer-status.js';
import { isoMicros, nowMicros } from '../../../../agent/diagnostics/micro-clock.js';

const statusEnum = (command: string): readonly string[] =>
  Schema.load()
    .getCommand('Device.IP.Diagnostics.', command)!
    .output.find((a) => a.name === 'Status')!.enumerations ?? [];

describe('transfer Status mapping', () => {
  it("every Status it can give is one the command's schema enumerates", () => {
    for (const [dir, command] of [
      ['download', 'DownloadDiagnostics()'],
      ['upload', 'UploadDiagnostics()'],
    ] as const) {
      const allowed = statusEnum(command);
      const given = [
        connectFailureStatus('ECONNREFUSED'),
        connectFailureStatus('EHOSTUNREACH'),
        connectFailureStatus(undefined),
        httpFailureStatus(dir, 404),
        httpFailureStatus(dir, 401),
        httpFailureStatus(dir, 500),
        cutShortStatus(dir, true),
        cutShortStatus(dir, false),
        'Error_CannotResolveHostName',
        'Error_NoResponse',
        'Error_Timeout',
        'Error_Other',
        'Complete',
      ];
      for (const s of given) expect(allowed, `${command} ${s}`).toContain(s);
    }
  });

  it('maps the failures as TR-143 names them', () => {
    expect(connectFailureStatus('ENETUNREACH')).toBe('Error_NoRouteToHost');
    expect(connectFailureStatus('ECONNREFUSED')).toBe('Error_InitConnectionFailed');
    expect(httpFailureStatus('download', 401)).toBe('Error_LoginFailed');
    expect(httpFailureStatus('download', 404)).toBe('Error_TransferFailed');
    expect(httpFailureStatus('upload', 404)).toBe('Error_NoTransferComplete');
    expect(cutShortStatus('download', true)).toBe('Error_IncorrectSize');
    expect(cutShortStatus('download', false)).toBe('Error_TransferFailed');
  });
});

describe('microsecond timestamps', () => {
  it('print six fractional digits', () => {
    expect(isoMicros(1_700_000_000_123_456)).toBe('2023-11-14T22:13:20.123456Z');
    expect(isoMicros(1_700_000_000_000_007)).toBe('2023-11-14T22:13:20.000007Z');
  });

  it('never go back within a process', () => {
    let last = nowMicros();
    for (let i = 0; i < 1000; i++) {
      const t = nowMicros();
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
  });
});
