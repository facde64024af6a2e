/**
 * GetSupportedDM coverage per platform, pinned to the TR-181 profiles each meets today.
 *
 * - The simulated gateway: a real agent in-process, asked GetSupportedDM for Device. by our
 *   TestController over WebSocket, as a buyer's Controller would.
 * - OpenWrt and Linux (with and without ModemManager) and `none`: the agent built offline
 *   (agent/profiles/offline-agent.ts: Agent.start with no MTP) with the recorded fakes the
 *   platform tests use first on PATH (ubus/uci from test/unit/platform/openwrt, mmcli replaying
 *   test/fixtures/modemmanager, on Linux chronyc replaying test/fixtures/chrony), so the answer does not depend on this machine. OpenWrt gets
 *   the `sysupgrade` stand-in the firmware tests use (test/fixtures/openwrt/standin-bin, after
 *   the fake ubus/uci on PATH), as the OpenWrt package depends on sysupgrade; both read a router's
 *   LEDs and thermal zone from test/fixtures/iot-sysfs (USP_AGENT_SYSFS_ROOT), and both find an
 *   `lldpcli` replaying lldpd neighbours recorded on Debian (test/fixtures/linux/lldp; OpenWrt's
 *   lldpd package is the same program); Linux has no
 *   firmware backend without --firmware-hook, so Firmware:1 is not met on those rows; one more
 *   Linux row is built with --firmware-hook and the stand-in hook of the firmware tests
 *   (test/fixtures/firmware/hook-standin.sh). Linux is built with --mqtt-broker mosquitto
 *   (opt-in, default off), so its MQTTBroker profiles show, and with --upnp-igd miniupnpd (likewise), so UPnPDev:1 does;
 *   OpenWrt, likewise, with the optional miniupnpd package installed (its shipped UCI config).
 *
 * Each platform's list of met profiles is pinned in test/fixtures/profiles/<platform>.json and
 * docs/profiles.md is generated from the same reports. When a change adds (or loses) a profile,
 * this test fails with the diff; `npm run profiles:report` rewrites the lists and the page.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkProfiles, servedModel, type ProfileReport } from '../../agent/profiles/check-profiles.js';
import { Agent } from '../../agent/Agent.js';
import { offlineModel } from '../../agent/profiles/offline-agent.js';
import { loadProfiles } from '../../agent/profiles/profiles-file.js';
import { PROFILES_GSDM_REQUEST } from '../../agent/profiles/served-by-agent.js';
import type { SupportedObjectResult } from '../../agent/codec/types.js';
import { profilesMarkdown, type PlatformReport } from '../../tools/profiles-markdown.js';
import { startAgent } from '../peers/agent-fixture.js';
import { asResponse } from '../peers/TestController.js';
import { FakeMmcli } from '../unit/platform/modemmanager/fake-mmcli.js';
import { fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';
import { installFakeTc } from '../unit/platform/openwrt/fake-tc.js';
import { DHCP_CLASS_HOOK } from '../../platform/openwrt/dhcp-class-hotplug.js';
import { fakeChronyc } from '../unit/platform/linux/fake-chronyc.js';

/** A router's LEDs and thermal zone (test/fixtures/iot-sysfs/README.md): the live platforms' Device.IoTCapability. come from there. */
const ROUTER_SYSFS = fileURLToPath(new URL('../fixtures/iot-sysfs/router', import.meta.url));

/** The stand-in `sysupgrade` (with the ubus/uci/fwtool it goes with) of the OpenWrt firmware tests. */
const SYSUPGRADE_STANDIN = fileURLToPath(new URL('../fixtures/openwrt/standin-bin', import.meta.url));
/** The stand-in `iw` and `hostapd_cli` replaying a recorded Linux access point (test/fixtures/linux/wifi-hostapd). */
const WIFI_STANDIN = fileURLToPath(new URL('../fixtures/linux/wifi-hostapd/bin', import.meta.url));
/** The stand-in `wpa_cli` replaying a recorded Linux station (test/fixtures/linux/wifi-wpa-supplicant), after WIFI_STANDIN (whose `iw` answers). */
const WPA_STANDIN = fileURLToPath(new URL('../fixtures/linux/wifi-wpa-supplicant/bin', import.meta.url));
/** The stand-in `lldpcli` replaying recorded lldpd neighbours (test/fixtures/linux/lldp; OpenWrt ships the same lldpd). */
const LLDP_STANDIN = fileURLToPath(new URL('../fixtures/linux/lldp/bin', import.meta.url));

interface Case {
  id: string;
  title: string;
  how: string;
  served(): Promise<SupportedObjectResult[]>;
}

/** The simulated gateway, asked by a Controller over a loopback WebSocket. */
async function simulatedOverWebSocket(): Promise<SupportedObjectResult[]> {
  const f = await startAgent({ platform: 'simulated' });
  try {
    const r = asResponse(await f.controller.send({ reqType: 'getSupportedDm', getSupportedDm: PROFILES_GSDM_REQUEST }));
    if (r.respType !== 'getSupportedDmResp') throw new Error(r.respType);
    const result = r.getSupportedDmResp.reqObjResults[0]!;
    expect(result.errCode).toBe(0);
    return result.supportedObjs ?? [];
  } finally {
    await f.close();
  }
}

/** The stand-in firmware hook of the firmware tests: an A/B device with two banks, its state in FW_STANDIN_DIR. */
const HOOK_STANDIN = fileURLToPath(new URL('../fixtures/firmware/hook-standin.sh', import.meta.url));

const OPENWRT_DHCP_HOOK = fileURLToPath(new URL('../../openwrt/files/usp-agent.dhcp-hotplug', import.meta.url));

/** The miniupnpd package's shipped config as `uci show upnpd` prints it (in test/fixtures/openwrt; its README says how it was made). */
const UCI_SHOW_UPNPD = 'uci-show-upnpd.txt';

/**
 * The fake OpenWrt's bin/ as the router's userland (the platform's commandPath, as the OpenWrt
 * agent tests run it), with the miniupnpd package installed: the OpenWrt package leaves that
 * package optional and serves Device.UPnP. from it where present (platform/openwrt/upnp-device.ts),
 * as the Linux rows are built with their opt-in --upnp-igd miniupnpd; and with tc (tc-tiny, which
 * Device.QoS. needs: platform/openwrt/qos.ts; the QoS tests' stand-in). Commands are then looked
 * up there only, so lldpcli is there too (the recorded one on PATH, called through).
 */
function routerUserland(openwrt: FakeOpenWrt): string {
  mkdirSync(path.join(openwrt.bin, 'etc', 'config'), { recursive: true });
  // The platform only looks for the file; the stand-in uci answers for its contents.
  writeFileSync(path.join(openwrt.bin, 'etc', 'config', 'upnpd'), '');
  openwrt.respondUci('upnpd', { file: UCI_SHOW_UPNPD });
  writeFileSync(path.join(openwrt.bin, 'lldpcli'), `#!/bin/sh\nexec ${JSON.stringify(path.join(LLDP_STANDIN, 'lldpcli'))} "$@"\n`, { mode: 0o755 });
  installFakeTc(openwrt);
  // The package's own dhcp hotplug handler, where it installs it (Bridging.Filter's DHCP-learnt criteria: platform/openwrt/dhcp-class-hotplug.ts).
  mkdirSync(path.dirname(path.join(openwrt.bin, DHCP_CLASS_HOOK)), { recursive: true });
  copyFileSync(OPENWRT_DHCP_HOOK, path.join(openwrt.bin, DHCP_CLASS_HOOK));
  // The vxlan package (Device.VXLAN.: platform/openwrt/vxlan.ts looks only for its netifd protocol handler).
  mkdirSync(path.join(openwrt.bin, 'lib', 'netifd', 'proto'), { recursive: true });
  writeFileSync(path.join(openwrt.bin, 'lib', 'netifd', 'proto', 'vxlan.sh'), '');
  return openwrt.bin;
}

/** A live platform built offline with the fakes first on PATH (what registerPlatform detects); `firmwareHook`: with the stand-in hook. */
async function liveOffline(platform: 'linux' | 'openwrt' | 'none', modemManager: boolean, firmwareHook = false): Promise<SupportedObjectResult[]> {
  const mmcli = new FakeMmcli();
  mmcli.setFailing(!modemManager);
  // OpenWrt's stand-ins include nft (fw4 brings it); on Linux the machine's own nft decides, as on a device.
  const openwrt = platform === 'openwrt' ? fakeOpenWrt({ nft: true }) : undefined;
  // Linux serves Device.Time. where chronyc answers: a Linux device with chrony, replayed.
  const chronyc = platform === 'linux' ? fakeChronyc() : undefined;
  const before = process.env.PATH;
  const sysfsBefore = process.env.USP_AGENT_SYSFS_ROOT;
  const hookDir = firmwareHook ? mkdtempSync(path.join(tmpdir(), 'usp-profiles-hook-')) : undefined;
  if (hookDir) process.env.FW_STANDIN_DIR = hookDir;
  // LEDs, sensors: a router's sysfs, not this build machine's (which has none).
  if (platform !== 'none') process.env.USP_AGENT_SYSFS_ROOT = ROUTER_SYSFS;
  // OpenWrt's sysupgrade stand-in comes after the fake ubus/uci, so those answer for the board.
  process.env.PATH = [
    mmcli.binDir,
    ...(openwrt ? [openwrt.bin, SYSUPGRADE_STANDIN] : []),
    ...(chronyc ? [chronyc.binDir, WIFI_STANDIN, WPA_STANDIN] : []),
    ...(platform !== 'none' ? [LLDP_STANDIN] : []),
    before ?? '',
  ].join(path.delimiter);
  try {
    // Linux and OpenWrt with their opt-in Mosquitto (--mqtt-broker mosquitto; installed by .ci/run): Device.MQTT.Broker. is served without running a broker.
    const built = await offlineModel(
      platform,
      (o) => Agent.start(o),
      platform === 'linux'
        ? { mqttBroker: true, upnpIgd: true, dhcpClient: true, wifi: { wpaSupplicantGlobal: '/run/wpa_supplicant-global' }, ...(hookDir ? { firmwareHook: HOOK_STANDIN } : {}) }
        : openwrt
          ? { mqttBroker: true, commandPath: routerUserland(openwrt) }
          : {},
    );
    if (platform !== 'none') expect(built.liveSources.find((s) => s.objects.includes('Device.Cellular.'))?.found).toBe(modemManager);
    if (openwrt) expect(built.liveSources.find((s) => s.objects.includes('Device.UPnP.Device.'))?.found).toBe(true);
    return built.served;
  } finally {
    process.env.PATH = before;
    if (sysfsBefore === undefined) delete process.env.USP_AGENT_SYSFS_ROOT;
    else process.env.USP_AGENT_SYSFS_ROOT = sysfsBefore;
    openwrt?.cleanup();
    chronyc?.cleanup();
    if (hookDir) {
      delete process.env.FW_STANDIN_DIR;
      rmSync(hookDir, { recursive: true, force: true });
    }
    mmcli.cleanup();
  }
}

const CASES: Case[] = [
  { id: 'simulated', title: 'simulated gateway', how: 'a real agent, GetSupportedDM from a Controller over WebSocket', served: simulatedOverWebSocket },
  {
    id: 'openwrt-modemmanager',
    title: 'OpenWrt + ModemManager',
    how: 'built offline with recorded ubus/uci, lldpcli and mmcli, the miniupnpd package (its shipped UCI config), tc (tc-tiny), the vxlan package, the sysupgrade stand-in on PATH, a router sysfs (LEDs, thermal zone), --mqtt-broker mosquitto',
    served: () => liveOffline('openwrt', true),
  },
  {
    id: 'openwrt',
    title: 'OpenWrt',
    how: 'built offline with recorded ubus/uci and lldpcli, the miniupnpd package (its shipped UCI config), tc (tc-tiny), the vxlan package, the sysupgrade stand-in on PATH, mmcli failing, a router sysfs (LEDs, thermal zone), --mqtt-broker mosquitto',
    served: () => liveOffline('openwrt', false),
  },
  {
    id: 'linux-modemmanager',
    title: 'Linux + ModemManager',
    how: 'built offline with recorded mmcli, chronyc, lldpcli, iw, hostapd_cli and wpa_cli (--wpa-supplicant-global), a router sysfs (LEDs, thermal zone), --mqtt-broker mosquitto, --upnp-igd miniupnpd, --dhcp-client udhcpc; no --firmware-hook',
    served: () => liveOffline('linux', true),
  },
  {
    id: 'linux',
    title: 'Linux',
    how: 'built offline with recorded chronyc, lldpcli, iw, hostapd_cli and wpa_cli (--wpa-supplicant-global), mmcli failing, a router sysfs (LEDs, thermal zone), --mqtt-broker mosquitto, --upnp-igd miniupnpd, --dhcp-client udhcpc; no --firmware-hook',
    served: () => liveOffline('linux', false),
  },
  {
    id: 'linux-firmware-hook',
    title: 'Linux + --firmware-hook',
    how: 'as Linux, with --firmware-hook and the stand-in A/B hook of the firmware tests',
    served: () => liveOffline('linux', false, true),
  },
  { id: 'none', title: '--platform none', how: "built offline: the agent's own objects only", served: () => liveOffline('none', false) },
];

const reports = new Map<string, ProfileReport>();

beforeAll(async () => {
  const file = loadProfiles();
  for (const c of CASES) reports.set(c.id, checkProfiles(file.model, file.profiles, servedModel(await c.served())));
}, 60_000);

afterAll(() => {
  reports.clear();
});

/** The pinned file: the met profiles, one per line, so a change reads as the names it adds or loses. */
const pinned = (c: Case, r: ProfileReport): string => `${JSON.stringify({ platform: c.title, model: r.model, met: r.met }, null, 2)}\n`;

describe.each(CASES)('profiles met: $title', (c) => {
  it(`are the ones pinned in test/fixtures/profiles/${c.id}.json`, async () => {
    await expect(pinned(c, reports.get(c.id)!)).toMatchFileSnapshot(`../fixtures/profiles/${c.id}.json`);
  });
});

describe('docs/profiles.md', () => {
  it('is the page generated from these reports (npm run profiles:report)', async () => {
    const platforms: PlatformReport[] = CASES.map((c) => ({ id: c.id, title: c.title, how: c.how, report: reports.get(c.id)! }));
    await expect(profilesMarkdown(platforms)).toMatchFileSnapshot('../../docs/profiles.md');
  });

  it("every platform meets the profiles of the agent's own objects (LocalAgent:1, Controllers:1, Subscriptions:1)", () => {
    for (const c of CASES) expect(reports.get(c.id)!.met, c.id).toEqual(expect.arrayContaining(['LocalAgent:1', 'Controllers:1', 'Subscriptions:1']));
  });
});
