/**
 * The `mmcli --create-bearer` string an AccessPoint becomes: ModemManager's key=value parser
 * (libmm-glib mm_common_parse_key_value_string) splits on commas outside quotes, so every free
 * text value is quoted, with the quote character the value does not hold.
 */
import { describe, expect, it } from 'vitest';
import { bearerProperties } from '../../../../platform/modemmanager/bearer-access-points.js';

describe('bearerProperties', () => {
  it('quotes free text, so commas and spaces stay in the value', () => {
    expect(bearerProperties({ APN: 'corp.example', Username: 'dept, ops', Password: 'p w' }, true)).toBe("apn='corp.example',user='dept, ops',password='p w',allow-roaming=yes");
  });

  it("uses double quotes for a value holding ' ", () => {
    expect(bearerProperties({ APN: '', Password: "it's" }, false)).toBe(`apn='',password="it's",allow-roaming=no`);
  });

  it('maps IPVersion 4/6 to ip-type, leaves -1 to the modem, and joins APN types with |', () => {
    expect(bearerProperties({ APN: 'ims', IPVersion: 6, Type: 'ims,default' }, true)).toBe("apn='ims',ip-type=ipv6,apn-type=ims|default,allow-roaming=yes");
    expect(bearerProperties({ APN: 'internet', IPVersion: -1 }, true)).toBe("apn='internet',allow-roaming=yes");
  });
});
