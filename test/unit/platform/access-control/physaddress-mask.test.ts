/**
 * Device.Hosts.AccessControl.{i}.PhysAddressMask (access-rows.ts): the checks every platform
 * applies, the rule a masked row becomes (the nft match on Linux), and the refusal, with its
 * reason, where the firewall matches whole MACs only (OpenWrt's fw4, the simulated firewall).
 */
import { describe, expect, it } from 'vitest';
import { controlProblems, maskedMac, ruleOf, wholeMacMask } from '../../../../platform/access-control/access-rows.js';
import { accessRules } from '../../../../platform/linux/access-control-nft.js';

const ROW = { PhysAddress: 'AA:BB:CC:12:34:56', Enable: true, AccessPolicy: 'Deny' };

describe('AccessControl PhysAddressMask', () => {
  it('"" and all ones name the one device; the mask keeps only its bits of the MAC', () => {
    expect([wholeMacMask(''), wholeMacMask('ff:FF:ff:ff:ff:ff'), wholeMacMask('FF:FF:FF:00:00:00')]).toEqual([true, true, false]);
    expect(maskedMac('AA:BB:CC:12:34:56', 'FF:FF:FF:00:00:00')).toBe('aa:bb:cc:00:00:00');
    expect(maskedMac('aa:bb:cc:12:34:56', 'ff:ff:ff:f0:00:0f')).toBe('aa:bb:cc:10:00:06');
  });

  it('a masked row becomes an nft match of the masked address; an unmasked one the plain address', () => {
    const masked = ruleOf('Device.Hosts.AccessControl.3', { ...ROW, PhysAddressMask: 'FF:FF:FF:00:00:00' }, []);
    expect(masked).toMatchObject({ mac: 'aa:bb:cc:00:00:00', mask: 'ff:ff:ff:00:00:00' });
    expect(accessRules(masked!)).toEqual(['ether saddr & ff:ff:ff:00:00:00 == aa:bb:cc:00:00:00 drop comment "Device.Hosts.AccessControl.3"']);
    const whole = ruleOf('Device.Hosts.AccessControl.3', { ...ROW, PhysAddressMask: 'FF:FF:FF:FF:FF:FF' }, []);
    expect(whole?.mask).toBeUndefined();
    expect(accessRules(whole!)).toEqual(['ether saddr aa:bb:cc:12:34:56 drop comment "Device.Hosts.AccessControl.3"']);
  });

  it('refuses a mask not in MAC form and one of zeros (it would match every device)', () => {
    for (const mask of ['FF:FF:FF', 'zz:ff:ff:ff:ff:ff', '00:00:00:00:00:00']) {
      expect(
        controlProblems({ ...ROW, PhysAddressMask: mask }, []).map((b) => b.param),
        mask,
      ).toEqual(['PhysAddressMask']);
    }
    expect(controlProblems({ ...ROW, PhysAddressMask: 'FF:FF:FF:00:00:00' }, [])).toEqual([]);
  });

  it('where the firewall takes whole MACs only, refuses any other mask with its reason', () => {
    const why = 'fw4 matches whole MAC addresses only';
    expect(controlProblems({ ...ROW, PhysAddressMask: 'FF:FF:FF:00:00:00' }, [], why)).toEqual([{ param: 'PhysAddressMask', message: `only "" or FF:FF:FF:FF:FF:FF (one device): ${why}` }]);
    expect(controlProblems({ ...ROW, PhysAddressMask: 'ff:ff:ff:ff:ff:ff' }, [], why)).toEqual([]);
    expect(controlProblems({ ...ROW, PhysAddressMask: '' }, [], why)).toEqual([]);
  });
});
