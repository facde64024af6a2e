/**
 * The undo paths of an OpenWrt IP.Interface's firewall zone (platform/openwrt/ip-firewall-zone.ts,
 * ip.ts) behind a real agent, driven by our TestController over a real loopback WebSocket: the
 * zone membership and the interface come back as they were when a later step fails, whether that
 * step is the next uci commit of the same request or another object of the same Set. ubus and uci
 * are the recorded stand-ins of test/unit/platform/openwrt/fake-openwrt.ts (one config's `uci
 * commit` made to fail), over the recorded sequence of test/fixtures/openwrt/README.md; every
 * command the agent runs is logged and compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../agent/codec/types.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];
const FW_COMMIT = ['uci', 'commit', 'firewall'];
const FW_RELOAD = ['/etc/init.d/firewall', 'reload'];
/** The shipped firewall's zones, as OpenWrt's uci names them (uci-show-firewall.uci.txt). */
const LAN_ZONE = 'firewall.cfg02dc81';
const WAN_ZONE = 'firewall.cfg03dc81';
const ROW = 'Device.IP.Interface.5.';

describe('OpenWrt IP interface zones: a later failure puts the zone membership back (recorded uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  /**
   * The controller, waiting up to 25 s for an answer: a write here runs a dozen stand-in
   * processes in turn, undo included, which on a loaded machine takes longer than the default.
   */
  const c = { send: (r: Request) => f.controller.send(r, 25_000) };
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[1] === 'call' && a[2] === 'network') || a[0] === FW_RELOAD[0]);
  /** The recorded state after the Add of usp1: a disabled section without a device, in the lan zone. */
  const added = (): void => {
    fake.respondUci('network', { file: 'uci-show-network.ip-added.txt' });
    fake.respondUci('firewall', { file: 'uci-show-firewall.ip-added.txt' });
  };

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('network', { file: 'uci-show-network.txt' });
    fake.respondUci('firewall', { file: 'uci-show-firewall.uci.txt' });
    f = await startOpenWrtAgent(fake);
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-added.txt' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ip-added.txt' });
    expect(await add(c, 'Device.IP.Interface.', {})).toBe(ROW);
  });
  afterAll(async () => {
    fake?.failCommit(false);
    await f?.close();
  });

  it('another object of the same Set refused (allow_partial false): the interface goes back to its link, its Enable and its zone', async () => {
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-enabled.txt' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ip-on-wan.txt' });
    fake.clearLog();
    const m = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          {
            objPath: ROW,
            paramSettings: [
              { param: 'Enable', value: 'true', required: true },
              { param: 'LowerLayers', value: 'Device.Ethernet.Link.2', required: true },
            ],
          },
          // Outside fc00::/7: refused once the interface is written.
          { objPath: 'Device.IP.', paramSettings: [{ param: 'ULAPrefix', value: '2001:db8::/48', required: true }] },
        ],
      },
    });
    expect(m.body.msgBody).toBe('error');
    expect(writes()).toEqual([
      ['uci', 'delete', 'network.usp1.disabled'],
      ['uci', 'set', 'network.usp1.device=eth1'],
      COMMIT,
      RELOAD,
      ['uci', 'del_list', `${LAN_ZONE}.network=usp1`],
      ['uci', 'add_list', `${WAN_ZONE}.network=usp1`],
      FW_COMMIT,
      FW_RELOAD,
      // The rollback: disabled and off the link again, out of wan and back in lan.
      ['uci', 'set', 'network.usp1.disabled=1'],
      ['uci', 'delete', 'network.usp1.device'],
      COMMIT,
      RELOAD,
      ['uci', 'del_list', `${WAN_ZONE}.network=usp1`],
      ['uci', 'add_list', `${LAN_ZONE}.network=usp1`],
      FW_COMMIT,
      FW_RELOAD,
    ]);
    added();
  });

  it('a Delete whose network commit fails after the zone write: the interface rejoins its zone', async () => {
    added();
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.uci.txt' });
    fake.failCommit(true, 'network');
    fake.clearLog();
    try {
      const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [ROW] } });
      expect(m.body.msgBody).toBe('error');
    } finally {
      fake.failCommit(false);
    }
    expect(writes()).toEqual([
      ['uci', 'del_list', `${LAN_ZONE}.network=usp1`],
      FW_COMMIT,
      FW_RELOAD,
      ['uci', 'delete', 'network.usp1'],
      COMMIT,
      ['uci', 'revert', 'network'],
      ['uci', 'add_list', `${LAN_ZONE}.network=usp1`],
      FW_COMMIT,
      FW_RELOAD,
    ]);
    added();
    expect((await getObjects(f.controller, [ROW]))[ROW]).toMatchObject({ Name: 'usp1' });
  });

  it('a Set whose zone commit fails after the network write: the interface goes back whole (Enable and link), 7003', async () => {
    added();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-enabled.txt' });
    fake.failCommit(true, 'firewall');
    fake.clearLog();
    try {
      const r = await trySet(c, ROW, { Enable: 'true', LowerLayers: 'Device.Ethernet.Link.2' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7003);
    } finally {
      fake.failCommit(false);
    }
    expect(writes()).toEqual([
      ['uci', 'delete', 'network.usp1.disabled'],
      ['uci', 'set', 'network.usp1.device=eth1'],
      COMMIT,
      RELOAD,
      ['uci', 'del_list', `${LAN_ZONE}.network=usp1`],
      ['uci', 'add_list', `${WAN_ZONE}.network=usp1`],
      FW_COMMIT,
      ['uci', 'revert', 'firewall'],
      ['uci', 'set', 'network.usp1.disabled=1'],
      ['uci', 'delete', 'network.usp1.device'],
      COMMIT,
      RELOAD,
    ]);
    added();
  });

  it('an Add whose zone commit fails: the new section goes again, no row', async () => {
    added();
    fake.failCommit(true, 'firewall');
    fake.clearLog();
    try {
      const a = await tryAdd(c, 'Device.IP.Interface.', {});
      expect(a.ok).toBe(false);
    } finally {
      fake.failCommit(false);
    }
    expect(writes()).toEqual([
      ['uci', 'set', 'network.usp2=interface'],
      ['uci', 'set', 'network.usp2.proto=none'],
      ['uci', 'set', 'network.usp2.disabled=1'],
      COMMIT,
      RELOAD,
      ['uci', 'add_list', `${LAN_ZONE}.network=usp2`],
      FW_COMMIT,
      ['uci', 'revert', 'firewall'],
      ['uci', 'delete', 'network.usp2'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, ['Device.IP.']))['Device.IP.']).toMatchObject({ InterfaceNumberOfEntries: '5' });
  });
});
