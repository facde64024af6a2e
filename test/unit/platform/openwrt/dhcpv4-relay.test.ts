/**
 * Device.DHCPv4.Relay on OpenWrt: `config relay` sections of the dhcp config, written with uci
 * and applied by procd reloading dnsmasq. `uci show dhcp` answers what OpenWrt's own uci printed
 * after the very commands checked here (test/fixtures/openwrt/README.md, uci-show-dhcp.relay-*).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { DHCP_EVENT, openWrt, type PlatformFixture } from './fake-openwrt.js';

const RELAY = 'Device.DHCPv4.Relay.';
const FWD = 'Device.DHCPv4.Relay.Forwarding.{i}.';
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];
const COMMIT = ['uci', 'commit', 'dhcp'];
const SECTION = 'cfg052442';
const LAN = 'Device.IP.Interface.2';

describe('openwrt platform: Device.DHCPv4.Relay from the dhcp config (dnsmasq --dhcp-relay)', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));
  const fail = (p: unknown): Promise<UspError> =>
    Promise.resolve(p).then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e as UspError,
    );
  const start = async (file = 'uci-show-dhcp.host-added.txt'): Promise<void> => {
    fx = openWrt();
    fx.fake.respondUci('dhcp', { file });
    await fx.platform.ready;
    await fx.values('Device.DHCPv4.');
    fx.fake.clearLog();
  };

  it('reads no Forwarding from the shipped config, and a relay section as an enabled row on the interface holding local_addr', async () => {
    await start();
    expect((await fx.values(RELAY)).get(RELAY)).toEqual({ Enable: true, Status: 'Enabled', ForwardingNumberOfEntries: 0 });
    fx.close();
    await start('uci-show-dhcp.relay-added.txt');
    const v = await fx.values(RELAY);
    expect(v.get(RELAY)).toEqual({ Enable: true, Status: 'Enabled', ForwardingNumberOfEntries: 1 });
    expect(v.get('Device.DHCPv4.Relay.Forwarding.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      Alias: `cpe-${SECTION}`,
      Order: 1,
      // local_addr 192.168.1.1 is lan's address (netifd dump).
      Interface: LAN,
      LocallyServed: false,
      DHCPServerIPAddress: '192.168.10.254',
      VendorClassID: '',
      VendorClassIDExclude: false,
      VendorClassIDMode: 'Exact',
      ClientID: '',
      ClientIDExclude: false,
      UserClassID: '',
      UserClassIDExclude: false,
      Chaddr: '',
      ChaddrMask: '',
      ChaddrExclude: false,
    });
  });

  it('adds a row with uci add dhcp relay, local_addr and server_addr; Enable false parks the server; Delete removes the section', async () => {
    await start();
    fx.fake.willAdd(SECTION);
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.relay-added.txt' });
    const tx = new Transaction(fx.model, {});
    const inst = await tx.add(fx.model.requireNode(FWD), [], { Enable: true, Interface: `${LAN}.`, DHCPServerIPAddress: '192.168.10.254' });
    await tx.commit();
    expect(inst.keys).toEqual([1]);
    expect(writes()).toEqual([['uci', 'add', 'dhcp', 'relay'], ['uci', 'set', `dhcp.${SECTION}.local_addr=192.168.1.1`], ['uci', 'set', `dhcp.${SECTION}.server_addr=192.168.10.254`], COMMIT, RELOAD]);
    expect(await fx.binding(FWD).get([1], {})).toMatchObject({ Enable: true, Status: 'Enabled', Interface: LAN, DHCPServerIPAddress: '192.168.10.254' });

    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.relay-disabled.txt' });
    await fx.binding(FWD).set!([1], { Enable: false }, {});
    expect(writes()).toEqual([
      ['uci', 'delete', `dhcp.${SECTION}.server_addr`],
      ['uci', 'set', `dhcp.${SECTION}.usp_disabled_server_addr=192.168.10.254`],
      ['uci', 'set', `dhcp.${SECTION}.usp_disabled=1`],
      COMMIT,
      RELOAD,
    ]);
    expect(await fx.binding(FWD).get([1], {})).toMatchObject({ Enable: false, Status: 'Disabled', DHCPServerIPAddress: '192.168.10.254', Interface: LAN });

    // Enable true again writes exactly the recorded relay-added state back.
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.relay-added.txt' });
    await fx.binding(FWD).set!([1], { Enable: true }, {});
    expect(writes()).toEqual([
      ['uci', 'set', `dhcp.${SECTION}.server_addr=192.168.10.254`],
      ['uci', 'delete', `dhcp.${SECTION}.usp_disabled_server_addr`],
      ['uci', 'delete', `dhcp.${SECTION}.usp_disabled`],
      COMMIT,
      RELOAD,
    ]);

    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.host-added.txt' });
    await fx.binding(FWD).delete!([1], {});
    expect(writes()).toEqual([['uci', 'delete', `dhcp.${SECTION}`], COMMIT, RELOAD]);
    expect((await fx.values(RELAY)).get(RELAY)).toMatchObject({ ForwardingNumberOfEntries: 0 });
  });

  it('a row added with the TR-181 defaults is written disabled; LocallyServed parks the server too', async () => {
    await start();
    fx.fake.willAdd(SECTION);
    await fx.binding(FWD).add!([], {}, {});
    expect(writes()).toEqual([['uci', 'add', 'dhcp', 'relay'], ['uci', 'set', `dhcp.${SECTION}.usp_disabled=1`], COMMIT, RELOAD]);
    fx.close();
    await start('uci-show-dhcp.relay-added.txt');
    await fx.binding(FWD).set!([1], { LocallyServed: true }, {});
    expect(writes()).toEqual([
      ['uci', 'delete', `dhcp.${SECTION}.server_addr`],
      ['uci', 'set', `dhcp.${SECTION}.usp_disabled_server_addr=192.168.10.254`],
      ['uci', 'set', `dhcp.${SECTION}.usp_locally_served=1`],
      COMMIT,
      RELOAD,
    ]);
  });

  it('Relay.Enable false marks the dnsmasq section and parks every relaying row', async () => {
    await start('uci-show-dhcp.relay-added.txt');
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.relay-off.txt' });
    await fx.binding(RELAY).set!([], { Enable: false }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'dhcp.cfg01411c.usp_relay_disabled=1'],
      ['uci', 'delete', `dhcp.${SECTION}.server_addr`],
      ['uci', 'set', `dhcp.${SECTION}.usp_disabled_server_addr=192.168.10.254`],
      COMMIT,
      RELOAD,
    ]);
    const v = await fx.values(RELAY);
    expect(v.get(RELAY)).toMatchObject({ Enable: false, Status: 'Disabled' });
    // The row keeps its own Enable; it relays again when the relay is enabled.
    expect(v.get('Device.DHCPv4.Relay.Forwarding.1.')).toMatchObject({ Enable: true, Status: 'Disabled', DHCPServerIPAddress: '192.168.10.254' });
    fx.fake.clearLog();
    await fx.binding(RELAY).set!([], { Enable: true }, {});
    expect(writes()).toEqual([
      ['uci', 'delete', 'dhcp.cfg01411c.usp_relay_disabled'],
      ['uci', 'set', `dhcp.${SECTION}.server_addr=192.168.10.254`],
      ['uci', 'delete', `dhcp.${SECTION}.usp_disabled_server_addr`],
      COMMIT,
      RELOAD,
    ]);
  });

  it('refuses a non-IPv4 server, an unknown Interface, a classification criterion and a second enabled row on one Interface, writing nothing', async () => {
    await start('uci-show-dhcp.relay-added.txt');
    // The schema's IPv4Address pattern refuses such a value at the USP edge (the simulated
    // gateway's relay test sends one); the platform checks it too.
    const e = await fail(fx.binding(FWD).set!([1], { DHCPServerIPAddress: 'dhcp.example.net', Interface: 'Device.IP.Interface.9', VendorClassID: 'MSFT 5.0', ChaddrMask: 'ff:ff:ff:00:00:00' }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.paramErrors?.map((p) => p.param).sort()).toEqual(['ChaddrMask', 'DHCPServerIPAddress', 'Interface', 'VendorClassID']);
    expect(e.message).toContain('Device.IP.Interface.9 is no netifd interface');
    expect(e.message).toContain('cannot classify');
    // Forwarding.1 already relays lan: an enabled second row there is refused, a disabled one is not.
    const dup = await fail(fx.binding(FWD).add!([], { Enable: true, Interface: LAN, DHCPServerIPAddress: '192.168.10.253' }, {}));
    expect(dup.code).toBe(ErrorCode.InvalidValue);
    expect(dup.message).toContain('Forwarding.1 already takes the requests of Device.IP.Interface.2');
    expect(writes()).toEqual([]);
    // Nothing was written: the row reads as before.
    expect(await fx.binding(FWD).get([1], {})).toMatchObject({ DHCPServerIPAddress: '192.168.10.254', Interface: LAN, VendorClassID: '' });
  });

  it('reverts the staged changes when the commit fails: the row stays as it was, no reload', async () => {
    await start('uci-show-dhcp.relay-added.txt');
    fx.fake.failCommit(true, 'dhcp');
    const e = await fail(fx.binding(FWD).set!([1], { DHCPServerIPAddress: '10.0.0.1' }, {}));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(e.message).toMatch(/dhcp\.cfg052442\.server_addr \(reverted\)/);
    expect(writes()).toEqual([['uci', 'set', `dhcp.${SECTION}.server_addr=10.0.0.1`], COMMIT, ['uci', 'revert', 'dhcp']]);
    fx.fake.willAdd('cfg062442');
    const a = await fail(fx.binding(FWD).add!([], { Enable: true, Interface: 'Device.IP.Interface.1', DHCPServerIPAddress: '10.0.0.1' }, {}));
    expect(a.code).toBe(ErrorCode.InternalError);
    expect(writes().slice(3)).toEqual([
      ['uci', 'add', 'dhcp', 'relay'],
      ['uci', 'set', 'dhcp.cfg062442.local_addr=192.168.10.2'],
      ['uci', 'set', 'dhcp.cfg062442.server_addr=10.0.0.1'],
      COMMIT,
      ['uci', 'revert', 'dhcp'],
    ]);
    fx.fake.failCommit(false);
    const v = await fx.values(RELAY);
    expect(v.get(RELAY)).toMatchObject({ ForwardingNumberOfEntries: 1 });
    expect(v.get('Device.DHCPv4.Relay.Forwarding.1.')).toMatchObject({ DHCPServerIPAddress: '192.168.10.254' });
  });

  it('Order moves a row with uci reorder; both rows keep their instance numbers and Aliases across the renames it causes', async () => {
    await start('uci-show-dhcp.relay-second.txt');
    const v = await fx.values(RELAY);
    expect(v.get(RELAY)).toMatchObject({ ForwardingNumberOfEntries: 2 });
    expect(v.get('Device.DHCPv4.Relay.Forwarding.2.')).toMatchObject({ Enable: false, Status: 'Disabled', Order: 2, Interface: LAN, DHCPServerIPAddress: '192.168.10.253' });
    // Forwarding.1 relays lan already: enabling the second there is refused.
    expect((await fail(fx.binding(FWD).set!([2], { Enable: true }, {}))).message).toContain('Forwarding.1 already takes the requests of Device.IP.Interface.2');
    await fx.binding(FWD).set!([1], { Alias: 'isp' }, {});
    await fx.binding(FWD).set!([2], { Alias: 'backup' }, {});
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.relay-reordered.txt' });
    await fx.binding(FWD).set!([2], { Order: 1 }, {});
    expect(writes()).toEqual([['uci', 'reorder', 'dhcp.cfg062442=4'], COMMIT, RELOAD]);
    const after = await fx.values(RELAY);
    expect(after.get('Device.DHCPv4.Relay.Forwarding.1.')).toMatchObject({ Alias: 'isp', Order: 2, Enable: true, DHCPServerIPAddress: '192.168.10.254' });
    expect(after.get('Device.DHCPv4.Relay.Forwarding.2.')).toMatchObject({ Alias: 'backup', Order: 1, Enable: false, DHCPServerIPAddress: '192.168.10.253' });
  });

  it('an Order past the last row keeps the only row where it is (no uci reorder)', async () => {
    await start('uci-show-dhcp.relay-added.txt');
    // One row: Order 1 is its place already, a larger Order keeps it last.
    await fx.binding(FWD).set!([1], { Order: 5 }, {});
    expect(writes()).toEqual([]);
  });
});
