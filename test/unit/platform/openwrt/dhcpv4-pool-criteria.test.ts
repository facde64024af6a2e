import { describe, expect, it } from 'vitest';
import type { Value } from '../../../../datamodel/value/Value.js';
import { POOL_CRITERIA } from '../../../../platform/dhcpv4-pool-criteria.js';
import { criteriaSections, planCriteria, readCriteria } from '../../../../platform/openwrt/dhcpv4-pool-criteria.js';
import type { UciConfig } from '../../../../platform/openwrt/uci-show.js';
import type { UspError } from '../../../../datamodel/UspError.js';
import { memoryStage } from './uci-memory-stage.js';

function config(): UciConfig {
  return [
    { name: 'lan', type: 'dhcp', options: { interface: 'lan', tag: ['known'] } },
    { name: 'cam', type: 'dhcp', options: { interface: 'lan' } },
  ];
}

/** Plans `changes` for pool `name`, stages them into `c` and reads the pool back. */
async function write(c: UciConfig, name: string, changes: Record<string, Value>): Promise<Record<string, Value>> {
  const w = planCriteria(
    c,
    c.find((s) => s.name === name),
    changes,
  );
  if (w) await w(memoryStage(c), name);
  return readCriteria(
    c,
    c.find((s) => s.name === name)!,
  );
}

describe('OpenWrt Pool criteria as UCI sections and pool tags', () => {
  it('each criterion reads back as written', async () => {
    for (const changes of <Array<Record<string, Value>>>[
      { VendorClassID: 'usp-cam' },
      { VendorClassID: 'usp cam, v2', VendorClassIDMode: 'Prefix', VendorClassIDExclude: true },
      { VendorClassID: 'cam', VendorClassIDMode: 'Substring' },
      { ClientID: '01aabbccddeeff' },
      { UserClassID: '0a0b0c' },
      { Chaddr: '02:00:00:00:70:99' },
      { Chaddr: '02:00:00:00:70:00', ChaddrMask: 'ff:ff:ff:ff:ff:00', ChaddrExclude: true },
      { VendorClassID: 'usp-cam', ClientID: '01aabbccddeeff', UserClassID: '0a0b0c', Chaddr: '02:00:00:00:70:99' },
    ]) {
      expect(await write(config(), 'cam', changes), JSON.stringify(changes)).toEqual({ ...POOL_CRITERIA, ...changes });
    }
  });

  it("a change rewrites only the pool's own tags and sections; clearing them leaves the config as it was", async () => {
    const c = config();
    await write(c, 'lan', { VendorClassID: 'usp-cam' });
    expect(c.find((s) => s.name === 'lan')!.options.tag).toEqual(['known', 'usp-c1-vc', '!usp-c1-vcx']);
    expect(c.find((s) => s.name === 'lan')!.options.networkid).toBe('usp-c1');
    // A second pool gets a stem of its own.
    await write(c, 'cam', { Chaddr: '02:00:00:00:70:99' });
    expect(c.find((s) => s.name === 'cam')!.options.tag).toEqual(['usp-c2-mac']);
    expect(
      criteriaSections(
        c,
        c.find((s) => s.name === 'lan')!,
      ).map((s) => s.options.networkid),
    ).toEqual(['usp-c1-vc', 'usp-c1-vcx']);
    expect(await write(c, 'lan', { VendorClassID: '' })).toEqual(POOL_CRITERIA);
    expect(c.find((s) => s.name === 'lan')!.options.tag).toEqual(['known']);
    expect(c.filter((s) => s.type === 'match')).toEqual([]);
    expect(await write(c, 'cam', { Chaddr: '' })).toEqual(POOL_CRITERIA);
    expect(c.map((s) => s.type)).toEqual(['dhcp', 'dhcp']);
  });

  it('the same criteria again write nothing; no criterion in the Set plans nothing', () => {
    expect(planCriteria(config(), config()[1], { VendorClassID: '' })).toBeUndefined();
    expect(planCriteria(config(), config()[1], { Enable: true })).toBeUndefined();
  });

  it('refuses with 7012 what one AND of tags or dnsmasq cannot say, naming the parameter', () => {
    for (const [changes, param] of <Array<[Record<string, Value>, string]>>[
      [{ VendorClassID: 'usp-cam', VendorClassIDExclude: true }, 'VendorClassIDExclude'],
      [{ ClientID: '01aabbccddeeff', ClientIDExclude: true }, 'ClientIDExclude'],
      [{ UserClassID: '0a0b0c', UserClassIDExclude: true }, 'UserClassIDExclude'],
      [{ VendorClassID: 'usp-cam', VendorClassIDMode: 'Suffix' }, 'VendorClassIDMode'],
      [{ Chaddr: '02:00:00:00:70:99', ChaddrMask: 'ff:ff:ff:ff:f0:00' }, 'ChaddrMask'],
      [{ UserClassID: '0a' }, 'UserClassID'],
    ]) {
      let err: UspError | undefined;
      try {
        planCriteria(config(), config()[1], changes);
      } catch (e) {
        err = e as UspError;
      }
      expect(err?.code, JSON.stringify(changes)).toBe(7012);
      expect(
        err?.paramErrors?.map((p) => p.param),
        JSON.stringify(changes),
      ).toEqual([param]);
    }
  });
});
