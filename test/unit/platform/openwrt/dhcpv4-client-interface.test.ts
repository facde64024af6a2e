/**
 * Device.DHCPv4.Client.{i}.Interface on OpenWrt: a new Interface moves the client (netifd's
 * `proto 'dhcp'` and the client's option lists) to an interface without addressing, in one
 * commit. `uci show network` is the recorded network config (uci-show-network.txt) with, written
 * for this test, `spare` (a DHCP client with options, holding no default route in the recorded
 * dump) and `spare2` (`proto 'none'`); the dump is the recorded one (wan holds the default route).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const CLIENT = 'Device.DHCPv4.Client.{i}.';
const NETWORK =
  fs.readFileSync(path.join(FIXTURES, 'uci-show-network.txt'), 'utf8') +
  [
    'network.spare=interface',
    "network.spare.device='eth1'",
    "network.spare.proto='dhcp'",
    "network.spare.sendopts='60:7573702d637065'",
    "network.spare.reqopts='42' '51'",
    'network.spare2=interface',
    "network.spare2.device='eth2'",
    "network.spare2.proto='none'",
    "network.spare2.disabled='1'",
    '',
  ].join('\n');

describe('openwrt platform: a DHCPv4 Client moves to another interface', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[3] === 'reload'));

  async function ipInterface(name: string): Promise<string> {
    const v = await fx.values('Device.IP.');
    const p = [...v.entries()].find(([p, o]) => /^Device\.IP\.Interface\.\d+\.$/.test(p) && o.Name === name)?.[0];
    if (!p) throw new Error(`no IP.Interface ${name}`);
    return p.slice(0, -1);
  }

  async function clientOn(name: string): Promise<number> {
    const ref = await ipInterface(name);
    const b = fx.binding(CLIENT);
    for (const n of await b.list!([], {})) if ((await b.get([n], {})).Interface === ref) return n;
    throw new Error(`no Client on ${name}`);
  }

  it('writes proto dhcp and the option lists on the new interface, proto none on the old, keeping the instance number', async () => {
    fx = openWrt();
    fx.fake.respondUci('network', { text: NETWORK });
    await fx.platform.ready;
    const n = await clientOn('spare');
    const target = await ipInterface('spare2');
    fx.fake.clearLog();
    const moved = NETWORK.replace("network.spare.proto='dhcp'\nnetwork.spare.sendopts='60:7573702d637065'\nnetwork.spare.reqopts='42' '51'", "network.spare.proto='none'").replace(
      "network.spare2.proto='none'\nnetwork.spare2.disabled='1'",
      "network.spare2.proto='dhcp'\nnetwork.spare2.sendopts='60:7573702d637065'\nnetwork.spare2.reqopts='42' '51'",
    );
    fx.fake.respondUciAfterCommit('network', { text: moved });
    await fx.binding(CLIENT).set!([n], { Interface: `${target}.` }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'network.spare2.proto=dhcp'],
      ['uci', 'set', 'network.spare2.sendopts=60:7573702d637065'],
      ['uci', 'add_list', 'network.spare2.reqopts=42'],
      ['uci', 'add_list', 'network.spare2.reqopts=51'],
      ['uci', 'delete', 'network.spare2.disabled'],
      ['uci', 'set', 'network.spare.proto=none'],
      ['uci', 'delete', 'network.spare.sendopts'],
      ['uci', 'delete', 'network.spare.reqopts'],
      ['uci', 'commit', 'network'],
      ['ubus', 'call', 'network', 'reload'],
    ]);
    expect(await fx.binding(CLIENT).get([n], {})).toMatchObject({ Interface: target });
    expect(await clientOn('spare2')).toBe(n);
  });

  it('refuses with 7012 an interface that has addressing, and moving the client holding the default route; 7025 one with a client', async () => {
    fx = openWrt();
    fx.fake.respondUci('network', { text: NETWORK });
    await fx.platform.ready;
    const spare = await clientOn('spare');
    const wan = await clientOn('wan');
    fx.fake.clearLog();
    const fail = (n: number, to: string): Promise<UspError> =>
      Promise.resolve(fx.binding(CLIENT).set!([n], { Interface: to }, {})).then(
        () => {
          throw new Error(`moving to ${to} was accepted`);
        },
        (e: unknown) => e as UspError,
      );
    expect((await fail(spare, await ipInterface('lan'))).paramErrors).toEqual([expect.objectContaining({ param: 'Interface', code: ErrorCode.InvalidValue })]);
    expect((await fail(spare, await ipInterface('wan'))).code).toBe(ErrorCode.DuplicateUniqueKey);
    const e = await fail(wan, await ipInterface('spare2'));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.message).toMatch(/default route/);
    expect(writes()).toEqual([]);
    // Its own interface again: nothing to write.
    await fx.binding(CLIENT).set!([spare], { Interface: await ipInterface('spare') }, {});
    expect(writes()).toEqual([]);
  });
});
