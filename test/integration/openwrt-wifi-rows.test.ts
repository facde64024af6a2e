/**
 * Adding and deleting OpenWrt SSIDs and AccessPoints (TR-181 WiFiSSID:1, WiFiAccessPoint:1
 * createDelete) behind a real agent, driven by our TestController over a real loopback WebSocket.
 * ubus and uci are the recorded stand-ins of test/unit/platform/openwrt/fake-openwrt.ts, first on
 * PATH: `uci show wireless` answers what OpenWrt's own uci printed before and after each of these
 * writes (test/fixtures/openwrt/README.md), and every command the agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../datamodel/UspError.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import type { TestController } from '../peers/TestController.js';
import { add as addQuick, del, set, trySet, type Outcome } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';
import { notifications, waitForNotification } from '../peers/TestController.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];

/**
 * An Add (allow_partial false) answered within 30 s: one SSID Add runs about fifteen commands
 * (each stand-in is a Node process), more than the controller's default 5 s on a loaded machine.
 */
async function tryAdd(c: TestController, objPath: string, params: Record<string, string>): Promise<Outcome<string>> {
  const m = await c.send(
    { reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] } },
    30_000,
  );
  if (m.body.msgBody === 'error') {
    const e = m.body.error;
    return { ok: false, errCode: e.errCode, paramErrCode: e.paramErrs?.[0]?.errCode, errMsg: e.errMsg };
  }
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'addResp') throw new Error(JSON.stringify(m.body));
  const st = m.body.response.addResp.createdObjResults[0].operStatus;
  if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
  return { ok: true, value: st.operSuccess.instantiatedPath };
}

/** A Set (allow_partial false) answered within 30 s: moving an AccessPoint runs about fifteen commands too. */
async function trySetSlow(c: TestController, objPath: string, params: Record<string, string>): Promise<Outcome<true>> {
  const m = await c.send(
    { reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] } },
    30_000,
  );
  if (m.body.msgBody === 'error') {
    const e = m.body.error;
    return { ok: false, errCode: e.errCode, paramErrCode: e.paramErrs?.[0]?.errCode, errMsg: e.errMsg };
  }
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'setResp') throw new Error(JSON.stringify(m.body));
  return { ok: true, value: true };
}

async function add(c: TestController, objPath: string, params: Record<string, string>): Promise<string> {
  const r = await tryAdd(c, objPath, params);
  if (!r.ok) throw new Error(`Add ${objPath} failed: ${r.errCode} ${r.errMsg}`);
  return r.value;
}

describe('OpenWrt SSID and AccessPoint rows over WebSocket (recorded uci wireless)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  /** uci writes and the reload, in order (the `uci -q -X show` reads and other ubus calls left out). */
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('adds an SSID and its AccessPoint, secures and enables it, then deletes it with its AccessPoint', async () => {
    const c = f.controller;
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ssid-added.txt' });
    fake.clearLog();
    const ssid = await add(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', SSID: 'guest' });
    expect(ssid).toBe('Device.WiFi.SSID.3.');
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.usp_wifi1=wifi-iface'],
      ['uci', 'set', 'wireless.usp_wifi1.device=radio1'],
      ['uci', 'set', 'wireless.usp_wifi1.network=lan'],
      ['uci', 'set', 'wireless.usp_wifi1.mode=ap'],
      ['uci', 'set', 'wireless.usp_wifi1.encryption=none'],
      ['uci', 'set', 'wireless.usp_wifi1.disabled=1'],
      ['uci', 'set', 'wireless.usp_wifi1.usp_ap=0'],
      ['uci', 'set', 'wireless.usp_wifi1.ssid=guest'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    let v = await getObjects(c, ['Device.WiFi.SSID.3.', 'Device.WiFi.']);
    expect(v['Device.WiFi.SSID.3.']).toMatchObject({ SSID: 'guest', Enable: 'false', Status: 'Down', LowerLayers: 'Device.WiFi.Radio.2' });
    // No AccessPoint yet: it is added for the SSID, as TR-181 pairs them (SSIDReference).
    expect(v['Device.WiFi.']).toMatchObject({ SSIDNumberOfEntries: '3', AccessPointNumberOfEntries: '2' });

    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ap-added.txt' });
    fake.clearLog();
    const ap = await add(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.3' });
    expect(ap).toBe('Device.WiFi.AccessPoint.3.');
    expect(writes()).toEqual([['uci', 'delete', 'wireless.usp_wifi1.usp_ap'], ['uci', 'commit', 'wireless'], RELOAD]);
    v = await getObjects(c, [ap, `${ap}Security.`]);
    expect(v[ap]).toMatchObject({ SSIDReference: 'Device.WiFi.SSID.3', Enable: 'false', Status: 'Disabled', UAPSDEnable: 'true' });
    expect(v[`${ap}Security.`]).toMatchObject({ ModeEnabled: 'None' });

    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ap-secured.txt' });
    fake.clearLog();
    await set(c, `${ap}Security.`, { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'guest passphrase' });
    expect(writes()).toEqual([['uci', 'set', 'wireless.usp_wifi1.encryption=psk2'], ['uci', 'set', 'wireless.usp_wifi1.key=guest passphrase'], ['uci', 'commit', 'wireless'], RELOAD]);
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ap-enabled.txt' });
    fake.clearLog();
    await set(c, ap, { Enable: 'true' });
    expect(writes()).toEqual([['uci', 'set', 'wireless.usp_wifi1.disabled=0'], ['uci', 'commit', 'wireless'], RELOAD]);
    v = await getObjects(c, [ssid, ap, `${ap}Security.`]);
    expect(v[ssid]).toMatchObject({ Enable: 'true' });
    expect(v[ap]).toMatchObject({ Enable: 'true' });
    // (KeyPassphrase reads empty, as TR-181 has it for a Get.)
    expect(v[`${ap}Security.`]).toMatchObject({ ModeEnabled: 'WPA2-Personal', EncryptionMode: 'AES' });

    // Deleting the SSID deletes the wifi-iface, and so its AccessPoint too: both are reported.
    await addQuick(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'ap-gone', NotifType: 'ObjectDeletion', ReferenceList: 'Device.WiFi.AccessPoint.*.' });
    const from = notifications(c).length;
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.txt' });
    fake.clearLog();
    await del(c, ssid);
    expect(writes()).toEqual([['uci', 'delete', 'wireless.usp_wifi1'], ['uci', 'commit', 'wireless'], RELOAD]);
    await waitForNotification(c, (ns) => ns.slice(from).find((n) => n.notify.notification === 'objDeletion' && n.notify.objDeletion.objPath === ap), 10_000);
    v = await getObjects(c, ['Device.WiFi.']);
    expect(v['Device.WiFi.']).toMatchObject({ SSIDNumberOfEntries: '2', AccessPointNumberOfEntries: '2' });
  });

  it('refuses an SSID on no Radio, an AccessPoint for a missing or paired SSID, and a wrongly typed value, writing nothing', async () => {
    const c = f.controller;
    fake.clearLog();
    const noRadio = await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.9', SSID: 'x' });
    expect(noRadio).toMatchObject({ ok: false, errCode: ErrorCode.RequiredParamFailed, paramErrCode: ErrorCode.InvalidValue });
    const notRadio = await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.Ethernet.Interface.1', SSID: 'x' });
    expect(notRadio).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    const noSsid = await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.9' });
    expect(noSsid).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    // SSID.2 has AccessPoint.2 already (SSIDReference is the AccessPoint's unique key).
    const paired = await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.2' });
    expect(paired.ok).toBe(false);
    const wrongType = await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', Enable: 'maybe' });
    expect(wrongType).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidType });
    // Enabled without an AccessPoint: OpenWrt would run it as one.
    const bare = await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', SSID: 'x', Enable: 'true' });
    expect(bare).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(writes()).toEqual([]);
  });

  it('reverts the staged section and fails the Add when uci commit fails', async () => {
    const c = f.controller;
    fake.failCommit(true);
    fake.clearLog();
    try {
      const r = await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.1', SSID: 'lost' });
      expect(r).toMatchObject({ ok: false });
      expect(writes().slice(-2)).toEqual([
        ['uci', 'commit', 'wireless'],
        ['uci', 'revert', 'wireless'],
      ]);
      expect(writes().some((a) => a.join(' ') === RELOAD.join(' '))).toBe(false);
    } finally {
      fake.failCommit(false);
    }
    const v = await getObjects(c, ['Device.WiFi.']);
    expect(v['Device.WiFi.']).toMatchObject({ SSIDNumberOfEntries: '2' });
    // A Set failing the same way leaves the SSID as it was.
    fake.failCommit(true);
    try {
      expect((await trySet(c, 'Device.WiFi.SSID.2.', { SSID: 'lost' })).ok).toBe(false);
    } finally {
      fake.failCommit(false);
    }
    expect((await getObjects(c, ['Device.WiFi.SSID.2.']))['Device.WiFi.SSID.2.'].SSID).toBe('OpenWrt');
  });

  it('makes a Controller-added SSID a station (Device.WiFi.EndPoint), joins a network through Profile.1, then gives the SSID back', async () => {
    const c = f.controller;
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ssid-added.txt' });
    const ssid = (await add(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', SSID: 'guest' })).slice(0, -1);
    // netifd runs it as phy1-sta0 once it is a station (written by us: the recorded status is of an AP).
    const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-wireless-status.json'), 'utf8')) as Record<string, { interfaces: unknown[] }>;
    status.radio1!.interfaces.push({ section: 'usp_wifi1', ifname: 'phy1-sta0', config: { mode: 'sta' }, vlans: [], stations: [] });
    fake.respond('network.wireless status', { json: status });
    fake.respond('iwinfo info {"device":"phy1-sta0"}', { file: 'ubus-iwinfo-info.phy1-sta0.json' });
    fake.respond('iwinfo assoclist {"device":"phy1-sta0"}', { file: 'ubus-iwinfo-assoclist.phy1-sta0.json' });
    // What uci shows after each commit: the station still on the SSID row's network ('guest', open),
    // then on Uplink-5G, then with its passphrase (the recorded station text, the first two derived from it).
    const sta = fs.readFileSync(path.join(FIXTURES, 'uci-show-wireless.sta.txt'), 'utf8');
    const staOpen = (name: string): string =>
      sta
        .replace("wireless.usp_wifi1.encryption='psk2'", "wireless.usp_wifi1.encryption='none'")
        .replace("wireless.usp_wifi1.ssid='Uplink-5G'", `wireless.usp_wifi1.ssid='${name}'`)
        .replace(/wireless\.usp_wifi1\.key=.*\n/, '');
    fake.respondUciAfterCommit('wireless', { text: staOpen('guest') });
    fake.clearLog();
    const ep = await add(c, 'Device.WiFi.EndPoint.', { Enable: 'true' });
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.usp_wifi1.mode=sta'],
      ['uci', 'delete', 'wireless.usp_wifi1.usp_ap'],
      ['uci', 'set', 'wireless.usp_wifi1.disabled=0'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    fake.clearLog();
    fake.respondUciAfterCommit('wireless', { text: staOpen('Uplink-5G') });
    await set(c, `${ep}Profile.1.`, { SSID: 'Uplink-5G' });
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.sta.txt' });
    await set(c, `${ep}Profile.1.Security.`, { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'uplink passphrase' });
    expect(writes().filter((w) => w[1] === 'set')).toEqual([
      ['uci', 'set', 'wireless.usp_wifi1.ssid=Uplink-5G'],
      ['uci', 'set', 'wireless.usp_wifi1.encryption=psk2'],
      ['uci', 'set', 'wireless.usp_wifi1.key=uplink passphrase'],
    ]);
    const v = await getObjects(c, [ep, `${ep}Profile.1.`, `${ep}Stats.`]);
    expect(v[ep]).toMatchObject({ Enable: 'true', Status: 'Enabled', SSIDReference: ssid, ProfileReference: `${ep}Profile.1` });
    expect(v[`${ep}Profile.1.`]).toMatchObject({ SSID: 'Uplink-5G', Status: 'Active' });
    expect(v[`${ep}Stats.`]).toMatchObject({ SignalStrength: '-61', LastDataUplinkRate: '576500' });
    // The station always joins the network its wifi-iface holds: no Profile ("") is refused.
    expect(await trySet(c, ep, { ProfileReference: '' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ssid-added.txt' });
    fake.respond('network.wireless status', { file: 'ubus-network-wireless-status.json' });
    await del(c, ep);
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.txt' });
    await del(c, `${ssid}.`);
    expect((await getObjects(c, ['Device.WiFi.']))['Device.WiFi.']).toMatchObject({ EndPointNumberOfEntries: '0', SSIDNumberOfEntries: '2' });
  });

  // Last: it leaves the wireless config with a detached AccessPoint.
  it('moves AccessPoint.2 onto a Controller-added SSID with SSIDReference, refuses taken and missing SSIDs, and detaches it with ""', async () => {
    const c = f.controller;
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ssid-added.txt' });
    const ssid = (await add(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', SSID: 'guest' })).slice(0, -1);
    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ap-moved.txt' });
    fake.clearLog();
    expect(await trySetSlow(c, 'Device.WiFi.AccessPoint.2.', { SSIDReference: ssid })).toEqual({ ok: true, value: true });
    // The AccessPoint's options (WPA2 and its passphrase) go to the new SSID's wifi-iface, which
    // runs as the AccessPoint did; the one left is a bare SSID, disabled.
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.usp_wifi1.encryption=psk2'],
      ['uci', 'set', 'wireless.usp_wifi1.key=fixture-passphrase-1'],
      ['uci', 'delete', 'wireless.usp_wifi1.usp_ap'],
      ['uci', 'set', 'wireless.usp_wifi1.disabled=0'],
      ['uci', 'delete', 'wireless.default_radio1.key'],
      ['uci', 'set', 'wireless.default_radio1.encryption=none'],
      ['uci', 'set', 'wireless.default_radio1.usp_ap=0'],
      ['uci', 'set', 'wireless.default_radio1.disabled=1'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    let v = await getObjects(c, ['Device.WiFi.AccessPoint.2.', 'Device.WiFi.AccessPoint.2.Security.', 'Device.WiFi.SSID.2.', `${ssid}.`, 'Device.WiFi.']);
    expect(v['Device.WiFi.AccessPoint.2.']).toMatchObject({ SSIDReference: ssid, Enable: 'true' });
    expect(v['Device.WiFi.AccessPoint.2.Security.']).toMatchObject({ ModeEnabled: 'WPA2-Personal' });
    expect(v[`${ssid}.`]).toMatchObject({ SSID: 'guest', Enable: 'true' });
    expect(v['Device.WiFi.SSID.2.']).toMatchObject({ Enable: 'false' });
    expect(v['Device.WiFi.']).toMatchObject({ AccessPointNumberOfEntries: '2' });

    fake.clearLog();
    // SSIDReference is the AccessPoint's unique key: the SSID has AccessPoint.2 now.
    expect(await trySetSlow(c, 'Device.WiFi.AccessPoint.1.', { SSIDReference: ssid })).toMatchObject({ ok: false, paramErrCode: ErrorCode.DuplicateUniqueKey });
    expect(await trySetSlow(c, 'Device.WiFi.AccessPoint.1.', { SSIDReference: 'Device.WiFi.SSID.9' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(await trySetSlow(c, 'Device.WiFi.AccessPoint.1.', { SSIDReference: 'Device.WiFi.Radio.1' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(writes()).toEqual([]);

    fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ap-detached.txt' });
    fake.clearLog();
    expect(await trySetSlow(c, 'Device.WiFi.AccessPoint.2.', { SSIDReference: '' })).toEqual({ ok: true, value: true });
    expect(writes()).toEqual([['uci', 'set', 'wireless.usp_wifi1.usp_ap=detached'], ['uci', 'set', 'wireless.usp_wifi1.disabled=1'], ['uci', 'commit', 'wireless'], RELOAD]);
    v = await getObjects(c, ['Device.WiFi.AccessPoint.2.', `${ssid}.`]);
    expect(v['Device.WiFi.AccessPoint.2.']).toMatchObject({ SSIDReference: '', Enable: 'false', Status: 'Disabled' });
    expect(v[`${ssid}.`]).toMatchObject({ Enable: 'false' });
  });
});
