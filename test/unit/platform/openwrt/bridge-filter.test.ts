/**
 * Device.Bridging.Filter.{i}. on OpenWrt: the Linux Filter table (platform/linux/bridge-filter.ts)
 * over OpenWrt's Bridge and Port rows, on the fake ubus/uci of the recorded routers and an nft
 * stand-in that keeps the scripts it is fed (nft-script-recorder.ts). What the kernel makes of
 * the table is the Linux integration test's (linux-bridge-filter.test.ts: real nft, real frames);
 * here: which ports OpenWrt lets a Filter name, the table text each Add/Set/Delete writes, the
 * refusals (nothing written), the rows written again at start, and when the table is not served.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { warnServiceSwitchesIgnored } from '../../../../agent/defaults/service-switches-option.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import type { OpenWrtOptions } from '../../../../platform/openwrt/index.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { fakeOpenWrt, type FakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';
import { addRow, bootWithStore, commitTx, type StoredPlatform } from './stored-filters.js';
import { refusal as sharedRefusal } from '../refusal.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const FILTER = 'Device.Bridging.Filter.{i}.';
const TABLE = 'usp_agent_bridge_filter';
/** The DSA router's br-lan: Port.1 the bridge itself, Port.2-5 lan1..lan4 (DSA), Port.6 phy1-ap0 (Wi-Fi). */
const BR = 'Device.Bridging.Bridge.1';
const ARP = { EthertypeFilterList: '2054', EthertypeFilterExclude: false };

type Booted = StoredPlatform;

describe('openwrt platform: Device.Bridging.Filter as the agent nftables bridge table', () => {
  const fixtures: PlatformFixture[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-bf-'));
    dirs.push(d);
    return d;
  };

  const boot = async (fake: FakeOpenWrt, opts: OpenWrtOptions & { dataDir?: string } = {}): Promise<Booted> => {
    const b = await bootWithStore(fake, opts.dataDir ?? path.join(tempDir(), 'data'), opts);
    fixtures.push(b.fx);
    return b;
  };
  const commit = commitTx;
  const add = (b: Booted, params: Record<string, Value>): Promise<void> => addRow(b, FILTER, params);
  const refusal = (p: Promise<unknown>): Promise<UspError> => sharedRefusal(() => p);
  const filter = (b: Booted, n: number) => b.fx.binding(FILTER).get([n], {});

  it('adds, changes and deletes a Filter on the Wi-Fi port, each change writing the whole table', async () => {
    const b = await boot(dsaRouter());
    expect((await b.fx.binding('Device.Bridging.').get([], {})).MaxFilterEntries).toBe(64);
    // Nothing stored: netfilter is left alone at start.
    expect(b.nft.scripts()).toEqual([]);

    await add(b, { Enable: true, Bridge: BR, Interface: `${BR}.Port.6`, ...ARP });
    // (The Add's generated Alias is a second Set of the row: the same table written again.)
    expect(new Set(b.nft.scripts())).toEqual(
      new Set([
        [
          `table bridge ${TABLE} {}`,
          `delete table bridge ${TABLE}`,
          `table bridge ${TABLE} {`,
          '  chain prerouting {',
          '    type filter hook prerouting priority filter; policy accept;',
          '    iifname "phy1-ap0" jump port_1 comment "frames arriving on phy1-ap0"',
          '  }',
          '  chain port_1 {',
          '    ether type 0x0806 accept comment "Device.Bridging.Filter.1"',
          '    drop',
          '  }',
          '}',
          '',
        ].join('\n'),
      ]),
    );
    expect(await filter(b, 1)).toMatchObject({ Status: 'Enabled', Order: 1, Bridge: BR, Interface: `${BR}.Port.6` });

    // A second one before it (Order 1 taken: the first moves down), with IP criteria.
    await add(b, { Enable: true, Bridge: BR, Interface: `${BR}.Port.6`, Order: 1, Protocol: 17, DestPort: 5000 });
    expect(b.nft.scripts().at(-1)).toContain(
      ['    meta protocol { ip, ip6 } meta l4proto 17 th dport 5000 accept comment "Device.Bridging.Filter.2"', '    ether type 0x0806 accept comment "Device.Bridging.Filter.1"', '    drop'].join(
        '\n',
      ),
    );
    expect((await filter(b, 1)).Order).toBe(2);

    await commit(b, (tx) => tx.set({ node: b.fx.model.requireNode(FILTER), keys: [2] }, { Enable: false }));
    expect(b.nft.scripts().at(-1)).not.toContain('Filter.2');
    expect(b.nft.scripts().at(-1)).toContain('Filter.1');
    await commit(b, (tx) => tx.delete({ node: b.fx.model.requireNode(FILTER), keys: [1] }));
    await commit(b, (tx) => tx.delete({ node: b.fx.model.requireNode(FILTER), keys: [2] }));
    // The last enabled one gone: the table goes.
    expect(b.nft.scripts().at(-1)).toBe(`table bridge ${TABLE} {}\ndelete table bridge ${TABLE}\n`);
  });

  it('refuses switch ports of a shared switch, the management port, VLAN rows and rows that do not exist (7012), writing nothing', async () => {
    const b = await boot(dsaRouter());
    for (const [Interface, text] of [
      [`${BR}.Port.2`, /lan1 shares a switch with lan2, lan3, lan4/],
      [`${BR}.Port.1`, /management port/],
      [`${BR}.Port.9`, /no Device\.Bridging\.Bridge\.\{i\}\.Port\.\{i\} row/],
    ] as const) {
      const e = await refusal(add(b, { Enable: true, Bridge: BR, Interface, ...ARP }));
      expect(e.code, Interface).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors[0], Interface).toMatchObject({ param: 'Interface', code: ErrorCode.InvalidValue });
      expect(e.paramErrors[0]!.message, Interface).toMatch(text);
    }
    const vlan = await refusal(add(b, { Enable: true, Bridge: `${BR}.VLAN.1`, Interface: `${BR}.Port.6` }));
    expect(vlan.paramErrors[0]).toMatchObject({ param: 'Bridge', code: ErrorCode.InvalidValue });
    expect(await b.fx.binding(FILTER).list!([], {})).toEqual([]);
    expect(b.nft.scripts()).toEqual([]);
    // br-lan filters VLANs (it has bridge-vlan sections): a VLANIDFilter is taken.
    await add(b, { Enable: true, Bridge: BR, Interface: `${BR}.Port.6`, VLANIDFilter: 10 });
    expect(b.nft.scripts()[0]).toContain('    vlan id 10 accept comment "Device.Bridging.Filter.1"');
  });

  it('on an 802.1D bridge takes a plain Ethernet port but no VLANIDFilter; nft failing answers 7003 and keeps nothing', async () => {
    // The recorded router: br-lan over eth0 (Port.2, no switch) and phy1-ap0, no bridge-vlan sections.
    const b = await boot(fakeOpenWrt(), { sysNetDir: undefined });
    const vid = await refusal(add(b, { Enable: true, Bridge: BR, Interface: `${BR}.Port.2`, VLANIDFilter: 10 }));
    expect(vid.paramErrors[0]).toMatchObject({ param: 'VLANIDFilter', code: ErrorCode.InvalidValue });
    expect(b.nft.scripts()).toEqual([]);

    b.nft.fail(true);
    const failed = await refusal(add(b, { Enable: true, Bridge: BR, Interface: `${BR}.Port.2`, ...ARP }));
    expect(failed.code).toBe(ErrorCode.InternalError);
    expect(failed.message).toMatch(/Operation not supported/);
    expect(await b.fx.binding(FILTER).list!([], {})).toEqual([]);

    b.nft.fail(false);
    await add(b, { Enable: true, Bridge: BR, Interface: `${BR}.Port.2`, SourceMACAddressFilterList: '94:83:C4:00:00:10', SourceMACAddressFilterExclude: false });
    expect(b.nft.scripts().at(-1)).toContain('iifname "eth0" jump port_1');
    expect(b.nft.scripts().at(-1)).toMatch(/ether saddr 94:83:c4:00:00:10 accept comment "Device.Bridging.Filter.\d+"/);
  });

  it('writes the stored rows again at start', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = await boot(dsaRouter(), { dataDir });
    await add(first, { Enable: true, Bridge: BR, Interface: `${BR}.Port.6`, ...ARP });
    const written = first.nft.scripts().at(-1);
    for (const f of fixtures.splice(0)) f.close();

    const again = await boot(dsaRouter(), { dataDir });
    expect(again.nft.scripts()).toEqual([written]);
    expect(await filter(again, 1)).toMatchObject({ Status: 'Enabled', Interface: `${BR}.Port.6` });
  });

  it('is not served with --bridge-filter off or without nft: MaxFilterEntries 0, nothing written', async () => {
    const off = await boot(dsaRouter(), { services: { bridgeFilter: false } });
    expect(off.fx.model.bindingAt(FILTER)).toBeUndefined();
    expect((await off.fx.binding('Device.Bridging.').get([], {})).MaxFilterEntries).toBe(0);
    expect(off.nft.scripts()).toEqual([]);
    // The switch applies here: no "ignored" warning for openwrt.
    const warned: string[] = [];
    warnServiceSwitchesIgnored({ bridgeFilter: false }, 'openwrt', { warn: (m) => warned.push(m) });
    expect(warned).toEqual([]);

    const fake = dsaRouter();
    const store = new DataStore(path.join(tempDir(), 'data'));
    const fx = openWrt(fake, { sysNetDir: DSA_SYS_NET, packetCounters: false, store });
    fixtures.push(fx);
    expect(fx.model.bindingAt(FILTER)).toBeUndefined();
    expect((await fx.binding('Device.Bridging.').get([], {})).MaxFilterEntries).toBe(0);
  });
});
