/**
 * Device.UPnP.Device. on Linux (`--upnp-igd miniupnpd`) against real peers: the agent
 * (`usp-agent run --platform linux`) in a router namespace with a WAN (its default route) and a
 * LAN namespace beside it; a Controller over WebSocket; the real miniupnpd (Debian package) the
 * agent runs; and a LAN host's SSDP M-SEARCH (node:dgram in the LAN namespace). Enable and
 * UPnPIGD true: miniupnpd answers the LAN host as an IGD v2 on the router's LAN address; Enable
 * false: it is stopped and nothing answers. A device type miniupnpd cannot be is refused (7012).
 * A LAN host's real UPnP client (upnpc, Debian miniupnpc) maps a port, and the mapping lands in
 * the agent's nftables table. The WAN side has a public-space address (11.x: miniupnpd maps
 * nothing behind a NAT); the namespaces are isolated, so nothing is routed anywhere.
 * Needs miniupnpd, miniupnpc, nft, iproute2 and root.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, type PeerNamespace } from '../peers/netns.js';
import { joinWanAndLan } from '../peers/routed-wan-lan.js';
import { ssdpSearch } from '../peers/ssdp-search.js';

const tag = process.pid % 100_000;
const n = tag % 250;
const gw = NetNamespace.create(`usp-ud-${tag}`, `10.207.${n}`, `uspud${tag}`, 'ctl0');
const LAN_HOST = `usp-udl-${tag}`;
const ROUTER_LAN = `10.209.${n}.1`;
const LAN_HOST_ADDRESS = `10.209.${n}.20`;
const IGD2 = 'urn:schemas-upnp-org:device:InternetGatewayDevice:2';
const DEVICE = 'Device.UPnP.Device.';
let peers: PeerNamespace[] = [];
let a: NamespacedAgent | undefined;

/** The IGD answers to one M-SEARCH from the LAN host: the first (`first`), or all within 1.5 s. */
/** The agent's mappings chain (`nft list chain`), '' when its table is not there. */
const mappings = (): string => {
  try {
    return execFileSync('ip', ['netns', 'exec', gw.name, 'nft', 'list', 'chain', 'inet', 'usp_agent_upnp', 'prerouting_miniupnpd'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
};
const igdAnswers = async (first = false): Promise<Array<Record<string, string>>> => (await ssdpSearch(LAN_HOST, IGD2, { first })).map((r) => r.headers);

beforeAll(async () => {
  peers = joinWanAndLan(gw, {
    wan: `usp-udw-${tag}`,
    lan: LAN_HOST,
    routerWan: `11.208.${n}.1`,
    wanHost: `11.208.${n}.2`,
    routerLan: ROUTER_LAN,
    lanHost: LAN_HOST_ADDRESS,
    lanNet: `10.209.${n}.0/24`,
  });
  a = await startAgentInNamespace(gw, 'lan0', { args: ['--upnp-igd', 'miniupnpd'] });
}, 60_000);

afterAll(async () => {
  await a?.close();
  for (const p of peers) p.remove();
  gw.remove();
}, 60_000);

describe.skipIf(!existsSync('/usr/sbin/miniupnpd') || !existsSync('/usr/bin/upnpc'))('Device.UPnP.Device. through the agent’s miniupnpd', () => {
  it('ships off; Capabilities say UPnP 1.1 and IGD 2, nothing else; no answer on the LAN', async () => {
    const all = await getObjects(a!.controller, [DEVICE]);
    expect(all[DEVICE]).toMatchObject({ Enable: 'false', UPnPIGD: 'false', UPnPMediaServer: 'false', UPnPDMSoftwareMgmt: 'false' });
    expect(all[`${DEVICE}Capabilities.`]).toMatchObject({ UPnPArchitecture: '1', UPnPArchitectureMinorVer: '1', UPnPIGD: '2', UPnPMediaServer: '0', UPnPBasicDevice: '0' });
    expect(await igdAnswers()).toEqual([]);
  });

  it('refuses a device type miniupnpd cannot be (7012), and nothing changes', async () => {
    const r = await trySet(a!.controller, DEVICE, { Enable: 'true', UPnPMediaServer: 'true' });
    expect(r).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect((await getObjects(a!.controller, [DEVICE]))[DEVICE]).toMatchObject({ Enable: 'false', UPnPMediaServer: 'false' });
  });

  it('Enable and UPnPIGD true: miniupnpd answers the LAN host’s M-SEARCH as an IGD v2 on the router’s LAN address', async () => {
    await set(a!.controller, DEVICE, { Enable: 'true', UPnPIGD: 'true' });
    // The Set answers once miniupnpd was started; its SSDP socket opens as it starts.
    let answer: Record<string, string> | undefined;
    await expect.poll(async () => (answer = (await igdAnswers(true))[0]), { timeout: 20_000, interval: 200 }).toBeDefined();
    expect(answer).toMatchObject({ ST: IGD2 });
    expect(answer!.LOCATION).toMatch(new RegExp(`^http://${ROUTER_LAN.replace(/\./g, '\\.')}:\\d+/rootDesc\\.xml$`));
    expect(answer!.SERVER).toMatch(/UPnP\/1\.1 MiniUPnPd\//);
    expect((await getObjects(a!.controller, [DEVICE]))[DEVICE]).toMatchObject({ Enable: 'true', UPnPIGD: 'true' });
  });

  it('a LAN host’s upnpc maps a WAN port to itself: the DNAT rule is in the agent’s table', () => {
    const out = execFileSync('ip', ['netns', 'exec', LAN_HOST, 'upnpc', '-a', LAN_HOST_ADDRESS, '8080', '18080', 'TCP'], { encoding: 'utf8', timeout: 20_000 });
    expect(out).toMatch(/external 11\.208\.\d+\.1:18080 TCP is redirected to internal 10\.209\.\d+\.20:8080/);
    expect(mappings()).toMatch(new RegExp(`dport 18080 dnat ip to ${LAN_HOST_ADDRESS.replace(/\./g, '\\.')}:8080`));
  });

  it('Enable false stops it: the LAN host’s M-SEARCH gets no answer, and the mappings are gone', async () => {
    await set(a!.controller, DEVICE, { Enable: 'false' });
    await expect.poll(async () => (await igdAnswers()).length, { timeout: 20_000, interval: 200 }).toBe(0);
    expect(mappings()).toBe('');
  });
});
