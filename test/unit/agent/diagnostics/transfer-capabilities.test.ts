/** TRANSFER_DIAGNOSTICS_CAPABILITIES names Device.IP.Diagnostics. parameters with values their TR-181 syntax allows. */
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { parseValue } from '../../../../datamodel/value/parse-value.js';
import { formatValue } from '../../../../datamodel/value/format-value.js';
import { TRANSFER_DIAGNOSTICS_CAPABILITIES } from '../../../../agent/diagnostics/register-transfer-diagnostics.js';

describe('TRANSFER_DIAGNOSTICS_CAPABILITIES', () => {
  it('every entry is a Device.IP.Diagnostics. parameter and its value is valid for it', () => {
    const obj = Schema.load().getObject('Device.IP.Diagnostics.')!;
    for (const [name, value] of Object.entries(TRANSFER_DIAGNOSTICS_CAPABILITIES)) {
      const p = obj.params.find((q) => q.name === name);
      expect(p, name).toBeDefined();
      expect(() => parseValue(p!, formatValue(p!, value)), name).not.toThrow();
    }
  });

  it('advertises HTTP only, and no IPLayerCapacity()', () => {
    expect(TRANSFER_DIAGNOSTICS_CAPABILITIES).toMatchObject({ DownloadTransports: 'HTTP', UploadTransports: 'HTTP', IPLayerCapacitySupported: false });
  });
});
