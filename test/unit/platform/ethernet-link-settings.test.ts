import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../datamodel/UspError.js';
import { linkChoice, mergeLinkSettings } from '../../../platform/ethernet-link-settings.js';

const PATH = 'Device.Ethernet.Interface.1.';

describe('MaxBitRate and DuplexMode as one link setting (the rule Linux and OpenWrt share)', () => {
  it('reads -1 with Auto as autonegotiation and a fixed pair as a forced link', () => {
    expect(linkChoice({ MaxBitRate: -1, DuplexMode: 'Auto' }, PATH)).toEqual({ auto: true });
    expect(linkChoice({ MaxBitRate: 100, DuplexMode: 'Half' }, PATH)).toEqual({ auto: false, mbps: 100, duplex: 'Half' });
  });

  it('refuses one automatic and one fixed setting with 7012 on both parameters', () => {
    for (const want of [
      { MaxBitRate: 100, DuplexMode: 'Auto' as const },
      { MaxBitRate: -1, DuplexMode: 'Full' as const },
    ]) {
      expect(() => linkChoice(want, PATH)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidValue, paramErrors: [expect.objectContaining({ param: 'MaxBitRate' }), expect.objectContaining({ param: 'DuplexMode' })] }),
      );
    }
  });

  it('applies a Set over the current settings (a parameter left out keeps its value)', () => {
    expect(mergeLinkSettings({ MaxBitRate: 100, DuplexMode: 'Full' }, { DuplexMode: 'Half' })).toEqual({ MaxBitRate: 100, DuplexMode: 'Half' });
    expect(mergeLinkSettings({ MaxBitRate: -1, DuplexMode: 'Auto' }, { MaxBitRate: 10, Enable: true })).toEqual({ MaxBitRate: 10, DuplexMode: 'Auto' });
  });
});
