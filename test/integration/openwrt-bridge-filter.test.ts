/**
 * Device.Bridging.Filter.{i}. on OpenWrt, through a Controller over WebSocket: the agent runs on
 * the ubus/uci stand-ins of the 24.10 DSA router (br-lan over the switch ports lan1..lan4 and the
 * Wi-Fi interface phy1-ap0) with an nft stand-in that keeps each script (nft-script-recorder.ts).
 * What the table does in a kernel is the Linux test's (linux-bridge-filter.test.ts: the same
 * table text, real nft and frames); here: GetSupportedDM offers the table for Add/Delete, a Filter
 * on the Wi-Fi port is written, one on a switch port that shares its switch is refused (7012) with
 * nothing written, and a Delete writes the table away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { supportedObjects } from '../peers/supported-items.js';
import { dsaRouter } from '../unit/platform/openwrt/dsa-router.js';
import { type NftRecorder, recordNft } from '../unit/platform/openwrt/nft-script-recorder.js';

const BR = 'Device.Bridging.Bridge.1';

describe('OpenWrt Device.Bridging.Filter (stand-in nft, DSA router)', () => {
  let nft: NftRecorder;
  let f: AgentFixture;

  beforeAll(async () => {
    const fake = dsaRouter();
    nft = recordNft(fake);
    f = await startOpenWrtAgent(fake);
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it('offers the Filter table for Add and Delete, MaxFilterEntries 64, no rows and no nft write at start', async () => {
    const served = await supportedObjects(f.controller, ['Device.Bridging.']);
    expect(served.get('Device.Bridging.Filter.{i}.')?.access).toBe('OBJ_ADD_DELETE');
    expect((await getObjects(f.controller, ['Device.Bridging.MaxFilterEntries', 'Device.Bridging.FilterNumberOfEntries']))['Device.Bridging.']).toEqual({
      MaxFilterEntries: '64',
      FilterNumberOfEntries: '0',
    });
    expect(nft.scripts()).toEqual([]);
  });

  it('refuses a switch port beside others of its switch (7012), writing nothing; takes the Wi-Fi port and deletes it again', async () => {
    const c = f.controller;
    const refused = await tryAdd(c, 'Device.Bridging.Filter.', { Enable: 'true', Bridge: BR, Interface: `${BR}.Port.2` });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.paramErrCode ?? refused.errCode).toBe(7012);
      expect(refused.errMsg).toMatch(/lan1 shares a switch with lan2, lan3, lan4/);
    }
    expect(nft.scripts()).toEqual([]);

    const row = await add(c, 'Device.Bridging.Filter.', { Enable: 'true', Bridge: BR, Interface: `${BR}.Port.6`, EthertypeFilterList: '2054', EthertypeFilterExclude: 'false' });
    expect((await getObjects(c, [`${row}Status`, `${row}Interface`]))[row]).toEqual({ Status: 'Enabled', Interface: `${BR}.Port.6` });
    expect(nft.scripts().at(-1)).toMatch(/iifname "phy1-ap0" jump port_1[^]*ether type 0x0806 accept comment "Device\.Bridging\.Filter\.\d+"\n {4}drop/);

    await del(c, row);
    expect(nft.scripts().at(-1)).toBe('table bridge usp_agent_bridge_filter {}\ndelete table bridge usp_agent_bridge_filter\n');
  });
});
