/**
 * Device.Bridging.Filter.{i}. criteria learnt from DHCP on OpenWrt: the package's dhcp hotplug
 * handler (run here by /bin/sh as procd runs it, dhcp-class-hotplug.test.ts) keeps the records
 * in the router userland's /var/run, and the Filter table (on the fake ubus/uci of the recorded
 * DSA router, the nft stand-in keeping the scripts it is fed) names the clients they describe in
 * its nft sets: written when a Filter is added, again when a lease changes what a set holds,
 * and at start from the records already there. DHCPv6 criteria are refused (odhcpd serves
 * DHCPv6); without the handler installed the DHCP-derived parameters are read-only (7013).
 * What the kernel makes of such a table is the Linux integration test's
 * (linux-bridge-filter-dhcp.test.ts: real dnsmasq, udhcpc and nft).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { DHCP_CLASS_DIR, DHCP_CLASS_HOOK } from '../../../../platform/openwrt/dhcp-class-hotplug.js';
import { dsaRouter } from './dsa-router.js';
import type { FakeOpenWrt, PlatformFixture } from './fake-openwrt.js';
import { addRow, bootWithStore, type StoredPlatform } from './stored-filters.js';
import { refusal as sharedRefusal } from '../refusal.js';

const FILTER = 'Device.Bridging.Filter.{i}.';
const BR = 'Device.Bridging.Bridge.1';
const HOOK = fileURLToPath(new URL('../../../../openwrt/files/usp-agent.dhcp-hotplug', import.meta.url));
const CAM = '02:00:00:00:70:10';
const PHONE = '02:00:00:00:70:11';

interface Booted extends StoredPlatform {
  fake: FakeOpenWrt;
}

describe('openwrt platform: Bridging.Filter criteria learnt from OpenWrt dnsmasq through the dhcp hotplug handler', () => {
  const fixtures: PlatformFixture[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** The package installed in the fake router's userland (its handler where procd looks), unless `installed` is false. */
  const router = (installed = true): FakeOpenWrt => {
    const fake = dsaRouter();
    if (installed) {
      const hook = path.join(fake.bin, DHCP_CLASS_HOOK);
      fs.mkdirSync(path.dirname(hook), { recursive: true });
      fs.copyFileSync(HOOK, hook);
    }
    return fake;
  };
  const boot = async (fake: FakeOpenWrt, dataDir?: string): Promise<Booted> => {
    const dir = dataDir ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-bfd-')), 'data');
    if (!dataDir) dirs.push(path.dirname(dir));
    const b = await bootWithStore(fake, dir);
    fixtures.push(b.fx);
    return { fake, ...b };
  };
  /** One hotplug.dhcp call of the router's dnsmasq, the handler run as procd runs it. */
  const lease = (fake: FakeOpenWrt, action: string, mac: string, env: Record<string, string> = {}): void => {
    execFileSync('sh', ['-c', `. ${path.join(fake.bin, DHCP_CLASS_HOOK)}`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', USP_AGENT_DHCP_CLASSES: path.join(fake.bin, DHCP_CLASS_DIR), ACTION: action, MACADDR: mac, IPADDR: '192.168.1.5', ...env },
    });
  };
  const add = (b: Booted, params: Record<string, Value>): Promise<void> => addRow(b, FILTER, params);
  const refusal = (p: Promise<unknown>): Promise<UspError> => sharedRefusal(() => p);
  /** The lines of set `name` in a table script, its closing brace included ("" when it has none). */
  const setLines = (script: string | undefined, name: string): string => {
    const lines = (script ?? '').split('\n');
    const start = lines.indexOf(`  set ${name} {`);
    return start < 0 ? '' : `${lines.slice(start, lines.indexOf('  }', start) + 1).join('\n')}\n`;
  };
  const VENDOR = {
    Enable: true,
    Bridge: BR,
    Interface: `${BR}.Port.6`,
    SourceMACFromVendorClassIDFilter: 'usp-',
    SourceMACFromVendorClassIDMode: 'Prefix',
    SourceMACFromVendorClassIDFilterExclude: false,
  };

  it('names the clients whose last lease matched in the nft set, and writes the table again as leases change', async () => {
    const b = await boot(router());
    lease(b.fake, 'add', CAM, { DNSMASQ_VENDOR_CLASS: 'usp-cam' });
    lease(b.fake, 'add', PHONE, { DNSMASQ_VENDOR_CLASS: 'android-dhcp-14' });
    // The agent reads the records when inotify tells it of them: the table is written again then.
    await add(b, VENDOR);
    await expect.poll(() => setLines(b.nft.scripts().at(-1), 'f1_src_vendor')).toBe(`  set f1_src_vendor {\n    type ether_addr\n    elements = { ${CAM} }\n  }\n`);
    expect(b.nft.scripts().at(-1)).toMatch(/iifname "phy1-ap0" jump port_1[\s\S]*ether saddr @f1_src_vendor accept comment "Device\.Bridging\.Filter\.1"/);

    // The phone renews with a vendor class of the Filter's: it joins the set; the camera's lease goes: it leaves.
    lease(b.fake, 'update', PHONE, { DNSMASQ_VENDOR_CLASS: 'usp-phone' });
    await expect.poll(() => setLines(b.nft.scripts().at(-1), 'f1_src_vendor')).toContain(`elements = { ${CAM}, ${PHONE} }`);
    lease(b.fake, 'remove', CAM);
    await expect.poll(() => setLines(b.nft.scripts().at(-1), 'f1_src_vendor')).toContain(`elements = { ${PHONE} }`);
    // dnsmasq restarting replays the lease without options: the record, and so the set, stays.
    const record = path.join(b.fake.bin, DHCP_CLASS_DIR, `4-${PHONE}`);
    const kept = fs.readFileSync(record);
    lease(b.fake, 'update', PHONE, { DNSMASQ_DATA_MISSING: '1' });
    expect(fs.readFileSync(record)).toEqual(kept);
  });

  it('refuses DHCPv6 criteria (7012, nothing written) and writes the learnt set at start from the records already there', async () => {
    const fake = router();
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-bfd-')), 'data');
    dirs.push(path.dirname(dataDir));
    const first = await boot(fake, dataDir);
    const v6 = await refusal(add(first, { ...VENDOR, DHCPType: 'DHCPv6', SourceMACFromClientIDFilter: '00030001020000007010', SourceMACFromClientIDFilterExclude: false }));
    expect(v6.code).toBe(ErrorCode.InvalidValue);
    expect(v6.paramErrors[0]).toMatchObject({ param: 'SourceMACFromClientIDFilter', code: ErrorCode.InvalidValue });
    expect(v6.paramErrors[0]!.message).toMatch(/odhcpd/);
    expect(first.nft.scripts()).toEqual([]);
    await add(first, { ...VENDOR, SourceMACFromClientIDFilter: '01020000007010', SourceMACFromClientIDFilterExclude: false });
    for (const f of fixtures.splice(0)) f.close();

    // The agent restarts (the same store) on a router whose handler recorded a lease meanwhile.
    const restarted = router();
    lease(restarted, 'add', CAM, { DNSMASQ_VENDOR_CLASS: 'usp-cam', DNSMASQ_CLIENT_ID: '01:02:00:00:00:70:10' });
    const again = await boot(restarted, dataDir);
    // (Reading the records writes the table, and the start writes it again: the same text.)
    expect(new Set(again.nft.scripts()).size).toBe(1);
    expect(setLines(again.nft.scripts()[0], 'f1_src_vendor')).toContain(`elements = { ${CAM} }`);
    expect(setLines(again.nft.scripts()[0], 'f1_src_client')).toContain(`elements = { ${CAM} }`);
  });

  it('without the handler installed, the DHCP-derived parameters are read-only and the rest of the table is served', async () => {
    const b = await boot(router(false));
    // What GetSupportedDM reports PARAM_READ_ONLY and a Set answers 7013 for (agent/handlers/param-settings.ts).
    const fixed = b.fx.model.requireNode(FILTER).fixedParams;
    for (const p of ['DHCPType', 'SourceMACFromVendorClassIDFilter', 'DestMACFromClientIDFilter', 'SourceMACFromUserClassIDFilterExclude']) expect(fixed.has(p), p).toBe(true);
    expect(fixed.has('EthertypeFilterList')).toBe(false);
    await add(b, { Enable: true, Bridge: BR, Interface: `${BR}.Port.6`, EthertypeFilterList: '2054', EthertypeFilterExclude: false });
    expect(b.nft.scripts().at(-1)).toContain('ether type 0x0806 accept comment "Device.Bridging.Filter.');
    expect(fs.existsSync(path.join(b.fake.bin, DHCP_CLASS_DIR))).toBe(false);
  });
});
