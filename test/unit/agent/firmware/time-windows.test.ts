/** Activate()'s TimeWindow.{i} input (agent/firmware/time-windows.ts). */
import { describe, expect, it } from 'vitest';
import { chooseWindow, parseTimeWindows } from '../../../../agent/firmware/time-windows.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';

const win = (n: number, start: number | string, end: number | string, mode: string) => ({
  [`TimeWindow.${n}.Start`]: String(start),
  [`TimeWindow.${n}.End`]: String(end),
  [`TimeWindow.${n}.Mode`]: mode,
});

function code(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof UspError ? e.code : -1;
  }
  return undefined;
}

describe('parseTimeWindows', () => {
  it('reads the windows in instance order, values as strings or numbers', () => {
    const ws = parseTimeWindows({ ...win(2, 100, 200, 'AnyTime'), ...win(1, 0, 50, 'Immediately'), 'TimeWindow.1.UserMessage': 'hi', URL: 'ignored' });
    expect(ws).toEqual([
      { instance: 1, start: 0, end: 50, mode: 'Immediately' },
      { instance: 2, start: 100, end: 200, mode: 'AnyTime' },
    ]);
    expect(parseTimeWindows({ 'TimeWindow.1.Start': 5, 'TimeWindow.1.End': 5, 'TimeWindow.1.Mode': 'AnyTime' })[0].start).toBe(5);
  });

  it('refuses missing, malformed, reversed and overlapping windows with 7027', () => {
    expect(code(() => parseTimeWindows({}))).toBe(ErrorCode.InvalidCommandArgs);
    expect(code(() => parseTimeWindows({ 'TimeWindow.1.Start': '0', 'TimeWindow.1.Mode': 'AnyTime' }))).toBe(ErrorCode.InvalidCommandArgs);
    expect(code(() => parseTimeWindows(win(1, -1, 5, 'AnyTime')))).toBe(ErrorCode.InvalidCommandArgs);
    expect(code(() => parseTimeWindows(win(1, 'x', 5, 'AnyTime')))).toBe(ErrorCode.InvalidCommandArgs);
    expect(code(() => parseTimeWindows(win(1, 0, 5, 'Sometimes')))).toBe(ErrorCode.InvalidCommandArgs);
    expect(code(() => parseTimeWindows(win(1, 10, 5, 'AnyTime')))).toBe(ErrorCode.InvalidCommandArgs);
    expect(code(() => parseTimeWindows({ ...win(1, 0, 100, 'AnyTime'), ...win(2, 50, 200, 'AnyTime') }))).toBe(ErrorCode.InvalidCommandArgs);
    const six = Object.assign({}, ...[1, 2, 3, 4, 5, 6].map((n) => win(n, n * 10, n * 10 + 5, 'AnyTime')));
    expect(code(() => parseTimeWindows(six))).toBe(ErrorCode.InvalidCommandArgs);
  });
});

describe('chooseWindow', () => {
  it('takes the first Immediately/AnyTime window; WhenIdle and ConfirmationNeeded are not used', () => {
    expect(chooseWindow(parseTimeWindows({ ...win(1, 0, 10, 'ConfirmationNeeded'), ...win(2, 20, 30, 'AnyTime') }))?.instance).toBe(2);
    expect(chooseWindow(parseTimeWindows({ ...win(1, 0, 10, 'WhenIdle') }))).toBeUndefined();
  });
});
