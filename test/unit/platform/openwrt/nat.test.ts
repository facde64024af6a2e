import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { parseUciShow, renamesByPosition } from '../../../../platform/openwrt/uci-show.js';
import fs from 'node:fs';
import path from 'node:path';
import { refusal } from '../refusal.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const FIREWALL = fs.readFileSync(`${FIXTURES}uci-show-firewall.txt`, 'utf8');

/** The firewall config as `uci show` prints it once a redirect with `options` is committed (libuci names it cfg0b4e1f). */
function withRedirect(options: Record<string, string>): string {
  return FIREWALL + ['firewall.cfg0b4e1f=redirect', ...Object.entries(options).map(([k, v]) => `firewall.cfg0b4e1f.${k}='${v}'`)].join('\n') + '\n';
}

const RELOAD = ['/etc/init.d/firewall', 'reload'];
const PM = 'Device.NAT.PortMapping.{i}.';

describe('openwrt platform: Device.NAT from UCI firewall redirects', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === RELOAD[0]);

  it('reads each single-protocol DNAT redirect as a PortMapping, typed as the schema says', async () => {
    fx = openWrt();
    const v = await fx.values('Device.NAT.');
    expect(v.get('Device.NAT.')).toEqual({ PortMappingNumberOfEntries: 3, InterfaceSettingNumberOfEntries: 1 });
    expect(v.get('Device.NAT.PortMapping.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      Alias: 'cpe-cfg08837c',
      Interface: 'Device.IP.Interface.1',
      AllInterfaces: false,
      LeaseDuration: 0,
      RemainingLeaseTime: 0,
      RemoteHost: '',
      ExternalPort: 8443,
      ExternalPortEndRange: 0,
      InternalPort: 443,
      Protocol: 'TCP',
      InternalClient: '192.168.1.10',
      Description: 'NAS HTTPS',
    });
    // A range without dest_port keeps its ports; enabled '0' → Disabled.
    expect(v.get('Device.NAT.PortMapping.2.')).toMatchObject({
      Enable: false,
      Status: 'Disabled',
      ExternalPort: 27015,
      ExternalPortEndRange: 27030,
      InternalPort: 27015,
      Protocol: 'UDP',
    });
    // The "tcp udp" redirect has no TR-181 Protocol; the named section is served by its name.
    expect(v.get('Device.NAT.PortMapping.3.')).toMatchObject({
      Alias: 'cpe-ssh_lan',
      RemoteHost: '203.0.113.7',
      ExternalPort: 2222,
      InternalPort: 22,
      InternalClient: '192.168.1.2',
    });
    expect(v.get('Device.NAT.InterfaceSetting.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      Alias: 'cpe-wan',
      Interface: 'Device.IP.Interface.1',
    });
  });

  it('sets options with uci set/delete, commits firewall and reloads it', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    await fx.binding(PM).set!([1], { ExternalPort: 8444, RemoteHost: '198.51.100.0/24', Enable: false }, {});
    await fx.binding(PM).set!([2], { ExternalPortEndRange: 0, InternalPort: 0, Description: 'Game' }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'firewall.cfg08837c.src_dport=8444'],
      ['uci', 'set', 'firewall.cfg08837c.src_ip=198.51.100.0/24'],
      ['uci', 'set', 'firewall.cfg08837c.enabled=0'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
      ['uci', 'set', 'firewall.cfg09837c.src_dport=27015'],
      ['uci', 'delete', 'firewall.cfg09837c.dest_port'],
      ['uci', 'set', 'firewall.cfg09837c.name=Game'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
    ]);
  });

  it('adds a redirect through a transaction, Alias kept by the agent, unique keys checked', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.willAdd('cfg0c0000');
    await fx.values('Device.NAT.'); // the config before the write
    fx.fake.respondUci('firewall', {
      text: withRedirect({
        target: 'DNAT',
        src: 'wan',
        dest: 'lan',
        enabled: '1',
        src_dport: '8080',
        dest_port: '80',
        dest_ip: '192.168.1.50',
        proto: 'tcp',
        name: 'Web cam',
      }),
    });
    fx.fake.clearLog();
    const tx = new Transaction(fx.model, {});
    const inst = await tx.add(fx.model.requireNode(PM), [], {
      Enable: true,
      ExternalPort: 8080,
      InternalPort: 80,
      InternalClient: '192.168.1.50',
      Protocol: 'TCP',
      Description: 'Web cam',
    });
    await tx.commit();
    expect(inst.keys).toEqual([4]);
    expect(writes()).toEqual([
      ['uci', 'add', 'firewall', 'redirect'],
      ['uci', 'set', 'firewall.cfg0c0000.target=DNAT'],
      ['uci', 'set', 'firewall.cfg0c0000.src=wan'],
      ['uci', 'set', 'firewall.cfg0c0000.dest=lan'],
      ['uci', 'set', 'firewall.cfg0c0000.enabled=1'],
      ['uci', 'set', 'firewall.cfg0c0000.src_dport=8080'],
      ['uci', 'set', 'firewall.cfg0c0000.dest_port=80'],
      ['uci', 'set', 'firewall.cfg0c0000.dest_ip=192.168.1.50'],
      ['uci', 'set', 'firewall.cfg0c0000.proto=tcp'],
      ['uci', 'set', 'firewall.cfg0c0000.name=Web cam'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
    ]);
    // Known by its committed name now; the generated Alias stayed in the agent, no second write.
    expect(await fx.binding(PM).get([4], {})).toMatchObject({ Alias: 'cpe-4', ExternalPort: 8080, Description: 'Web cam', Status: 'Enabled' });
  });

  it('refuses a duplicate RemoteHost+ExternalPort+Protocol with 7025 and deletes what it added', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.willAdd('cfg0c0000');
    await fx.values('Device.NAT.');
    fx.fake.respondUci('firewall', {
      text: withRedirect({
        target: 'DNAT',
        src: 'wan',
        dest: 'lan',
        enabled: '0',
        src_dport: '2222',
        src_ip: '203.0.113.7',
        proto: 'tcp',
      }),
    });
    fx.fake.clearLog();
    const tx = new Transaction(fx.model, {});
    const e = await tx.add(fx.model.requireNode(PM), [], { ExternalPort: 2222, Protocol: 'TCP', RemoteHost: '203.0.113.7' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    await tx.rollback();
    expect((e as UspError).code).toBe(ErrorCode.DuplicateUniqueKey);
    // The rollback deletes the section under the name it was committed as.
    expect(writes().filter((a) => a[1] === 'add' || a[1] === 'delete')).toEqual([
      ['uci', 'add', 'firewall', 'redirect'],
      ['uci', 'delete', 'firewall.cfg0b4e1f'],
    ]);
  });

  it('deletes by section name; a failing commit reverts and nothing reloads', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    fx.fake.failCommit(true);
    const e = await Promise.resolve(fx.binding(PM).delete!([3], {})).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(UspError);
    expect((e as UspError).code).toBe(ErrorCode.InternalError);
    expect((e as UspError).message).toMatch(/firewall\.ssh_lan.*reverted.*uci: I\/O error/);
    fx.fake.failCommit(false);
    await fx.binding(PM).delete!([3], {});
    expect(writes()).toEqual([
      ['uci', 'delete', 'firewall.ssh_lan'],
      ['uci', 'commit', 'firewall'],
      ['uci', 'revert', 'firewall'],
      ['uci', 'delete', 'firewall.ssh_lan'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
    ]);
  });

  it('keeps instance numbers across libuci renaming anonymous sections after a delete', async () => {
    fx = openWrt();
    await fx.platform.ready;
    const text = FIREWALL;
    // After deleting cfg08837c, the later anonymous redirects come back with new names.
    const after = text
      .split('\n')
      .filter((l) => !l.startsWith('firewall.cfg08837c'))
      .map((l) => l.replace('cfg09837c', 'cfg08a1b2').replace('cfg0a837c', 'cfg09c3d4'))
      .join('\n');
    await fx.values('Device.NAT.');
    fx.fake.respondUci('firewall', { text: after });
    await fx.binding(PM).delete!([1], {});
    expect(await fx.binding(PM).list!([], {})).toEqual([2, 3]);
    expect(await fx.binding(PM).get([2], {})).toMatchObject({ ExternalPort: 27015, Alias: 'cpe-cfg08a1b2' });
  });

  it("turns a zone's NAT off and on through its masq option: Set Enable, Delete, Add", async () => {
    fx = openWrt();
    await fx.platform.ready;
    const IS = 'Device.NAT.InterfaceSetting.{i}.';
    const names = await fx.values('Device.IP.');
    const lanIf = [...names.entries()].find(([, v]) => v.Name === 'lan')![0].slice(0, -1);
    fx.fake.clearLog();
    await fx.binding(IS).set!([1], { Enable: false }, {});
    fx.fake.respondUci('firewall', { text: FIREWALL.replace("firewall.cfg03dc81.masq='1'", "firewall.cfg03dc81.masq='0'") });
    expect(await fx.binding(IS).get([1], {})).toMatchObject({ Enable: false, Status: 'Disabled' });
    await fx.binding(IS).delete!([1], {});
    fx.fake.respondUci('firewall', { text: FIREWALL.replace("firewall.cfg03dc81.masq='1'\n", '') });
    expect(await fx.binding(IS).list!([], {})).toEqual([]);
    // A second row for a zone that has one, or for an interface in no zone, is refused before UCI is touched.
    const n = await fx.binding(IS).add!([], { Enable: true, Interface: `${lanIf}.` }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'firewall.cfg03dc81.masq=0'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
      ['uci', 'delete', 'firewall.cfg03dc81.masq'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
      ['uci', 'set', 'firewall.cfg02dc81.masq=1'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
    ]);
    fx.fake.respondUci('firewall', { text: FIREWALL.replace("firewall.cfg03dc81.masq='1'\n", '') + "firewall.cfg02dc81.masq='1'\n" });
    expect(n).toBe(2);
    expect(await fx.binding(IS).get([2], {})).toMatchObject({ Enable: true, Interface: lanIf });
    expect((await refusal(() => fx.binding(IS).add!([], { Interface: lanIf }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => fx.binding(IS).add!([], { Interface: 'Device.IP.Interface.99' }, {}))).code).toBe(ErrorCode.InvalidValue);
  });

  it('refuses what UCI redirects cannot express with 7012, before touching UCI', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    // A subnet RemoteHost is fw4's, not the agent's rule for all interfaces (one address).
    const e = await Promise.resolve(fx.binding(PM).set!([1], { LeaseDuration: 60, AllInterfaces: true, RemoteHost: '198.51.100.0/24', InternalClient: 'nas.lan' }, {})).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
    expect((e as UspError).paramErrors.map((p) => p.param).sort()).toEqual(['InternalClient', 'LeaseDuration', 'RemoteHost']);
    expect(writes()).toEqual([]);
  });
});

describe('openwrt platform: PortMapping.AllInterfaces through fw4 includes', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === RELOAD[0]);
  const INCLUDES = (dir: string): string =>
    [
      ['usp_portmap_dstnat', 'fw4-portmapping-dstnat.nft', 'chain-append', 'dstnat'],
      ['usp_portmap_forward', 'fw4-portmapping-forward.nft', 'chain-prepend', 'forward'],
    ]
      .map(([s, f, p, c]) => `firewall.${s}=include\nfirewall.${s}.type='nftables'\nfirewall.${s}.path='${dir}/${f}'\nfirewall.${s}.position='${p}'\nfirewall.${s}.chain='${c}'\n`)
      .join('');

  it("true: the redirect's src '*' (fw4 skips it) and its rules in the agent's include files; false: back to the wan zone", async () => {
    fx = openWrt();
    await fx.platform.ready;
    const dir = path.join(fx.fake.bin, 'etc', 'usp-agent');
    const dstnat = path.join(dir, 'fw4-portmapping-dstnat.nft');
    await fx.values('Device.NAT.');
    // A failing commit puts the include files back as they were (none).
    fx.fake.failCommit(true);
    expect((await refusal(() => fx.binding(PM).set!([1], { AllInterfaces: true }, {}))).code).toBe(ErrorCode.InternalError);
    fx.fake.failCommit(false);
    expect(fs.existsSync(dstnat)).toBe(false);
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('firewall', { text: FIREWALL.replace("firewall.cfg08837c.src='wan'", "firewall.cfg08837c.src='*'") + INCLUDES(dir) });
    await fx.binding(PM).set!([1], { AllInterfaces: true }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'firewall.usp_portmap_dstnat=include'],
      ['uci', 'set', 'firewall.usp_portmap_dstnat.type=nftables'],
      ['uci', 'set', `firewall.usp_portmap_dstnat.path=${dstnat}`],
      ['uci', 'set', 'firewall.usp_portmap_dstnat.position=chain-append'],
      ['uci', 'set', 'firewall.usp_portmap_dstnat.chain=dstnat'],
      ['uci', 'set', 'firewall.usp_portmap_forward=include'],
      ['uci', 'set', 'firewall.usp_portmap_forward.type=nftables'],
      ['uci', 'set', `firewall.usp_portmap_forward.path=${path.join(dir, 'fw4-portmapping-forward.nft')}`],
      ['uci', 'set', 'firewall.usp_portmap_forward.position=chain-prepend'],
      ['uci', 'set', 'firewall.usp_portmap_forward.chain=forward'],
      ['uci', 'set', 'firewall.cfg08837c.src=*'],
      ['uci', 'commit', 'firewall'],
      RELOAD,
    ]);
    expect(fs.readFileSync(dstnat, 'utf8')).toContain('meta nfproto ipv4 tcp dport 8443 dnat ip to 192.168.1.10:443');
    expect(fs.readFileSync(path.join(dir, 'fw4-portmapping-forward.nft'), 'utf8')).toContain('ip daddr 192.168.1.10 tcp dport 443 ct status dnat accept');
    expect(await fx.binding(PM).get([1], {})).toMatchObject({ AllInterfaces: true, Interface: '', Status: 'Enabled' });
    // Meanwhile an Interface has no zone to go to (7012); the include sections are not staged again.
    expect((await refusal(() => fx.binding(PM).set!([1], { Interface: 'Device.IP.Interface.1' }, {}))).code).toBe(ErrorCode.InvalidValue);
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('firewall', { text: FIREWALL + INCLUDES(dir) });
    await fx.binding(PM).set!([1], { AllInterfaces: false, InternalPort: 444 }, {});
    expect(writes()).toEqual([['uci', 'set', 'firewall.cfg08837c.src=wan'], ['uci', 'set', 'firewall.cfg08837c.dest_port=444'], ['uci', 'commit', 'firewall'], RELOAD]);
    expect(fs.readFileSync(dstnat, 'utf8')).not.toContain('dnat');
    expect(await fx.binding(PM).get([1], {})).toMatchObject({ AllInterfaces: false, Interface: 'Device.IP.Interface.1' });
  });
});

describe('uci show parsing', () => {
  it('reads quoted values, lists and escaped quotes', () => {
    const c = parseUciShow("fw.a=zone\nfw.a.network='wan' 'wan6'\nfw.a.name='it'\\''s'\n");
    expect(c).toEqual([{ name: 'a', type: 'zone', options: { network: ['wan', 'wan6'], name: "it's" } }]);
  });
  it('matches renamed sections by position', () => {
    expect(renamesByPosition(['a', 'cfg02', 'cfg03'], ['a', 'cfg02x', 'cfg03y'], new Set(['cfg02']), ['cfg0f'])).toEqual([
      ['cfg03', 'cfg02x'],
      ['cfg0f', 'cfg03y'],
    ]);
    expect(renamesByPosition(['a'], ['a', 'b'], new Set(), [])).toEqual([]);
  });
});
