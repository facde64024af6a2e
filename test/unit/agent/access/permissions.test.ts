/**
 * Effective permissions (TR-181 ControllerTrust:1, Role.{i}.Permission.{i}): highest Order wins within a
 * role, roles combine with OR, partial paths cover everything below them, instance numbers and
 * search expressions pick rows, disabled rows count for nothing, Role.1 means its rows like any
 * role but no controller may write it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PERM_R, PERM_W } from '../../../../datamodel/access/AccessView.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { formatPermissionBits as fmt } from '../../../../agent/access/permission-string.js';
import { accessFixture, role, roleRef, type AccessFixture } from './fixture.js';

let f: AccessFixture | undefined;
afterEach(() => {
  f?.stop();
  f = undefined;
});

const ALL = { param: 'rwxn', obj: 'rwxn', inst: 'rwxn', ce: 'rwxn' };
const NONE = { param: '----', obj: '----', inst: '----', ce: '----' };

describe('the worked example: Device. rwxn at Order 1, ControllerTrust ---- at Order 2', () => {
  it('gives full access except ControllerTrust', async () => {
    f = await accessFixture(
      role(2, 'Most', [
        { order: 1, targets: 'Device', ...ALL },
        { order: 2, targets: 'Device.LocalAgent.ControllerTrust', ...NONE },
      ]),
    );
    const v = await f.view(roleRef(2));
    const info = await f.at(v, 'Device.DeviceInfo.');
    expect(fmt(info.obj)).toBe('rwxn');
    expect(fmt(info.param('SerialNumber'))).toBe('rwxn');
    const la = await f.at(v, 'Device.LocalAgent.');
    expect(fmt(la.param('EndpointID'))).toBe('rwxn');
    const trust = await f.at(v, 'Device.LocalAgent.ControllerTrust.');
    expect(trust.obj).toBe(0);
    expect(trust.param('SecuredRoles')).toBe(0);
    const roleNode = f.model.requireNode('Device.LocalAgent.ControllerTrust.Role.{i}.');
    expect(await v.visibleInstances(roleNode, [], [2])).toEqual([]);
    expect((await v.supported(roleNode, [])).obj).toBe(0);
    expect(fmt((await f.at(v, 'Device.')).command('Reboot()'))).toBe('rwxn');
  });

  it('the other order of rows gives the same answer: Order decides, not position', async () => {
    f = await accessFixture(
      role(2, 'Most', [
        { order: 7, targets: 'Device.LocalAgent.ControllerTrust.', ...NONE },
        { order: 3, targets: 'Device.', ...ALL },
      ]),
    );
    const v = await f.view(roleRef(2));
    expect((await f.at(v, 'Device.LocalAgent.ControllerTrust.')).obj).toBe(0);
    expect(fmt((await f.at(v, 'Device.WiFi.Radio.1.')).inst)).toBe('rwxn');
  });
});

describe('combining', () => {
  it('ORs the roles per character: r--- ∪ ---n = r--n', async () => {
    f = await accessFixture({
      ...role(2, 'Reader', [{ order: 1, targets: 'Device.', param: 'r---', obj: 'r---', inst: 'r---', ce: 'r---' }]),
      ...role(3, 'Notified', [{ order: 1, targets: 'Device.DeviceInfo.', param: '---n', obj: 'r--n', ce: '--x-' }]),
    });
    const v = await f.view(roleRef(2, 3));
    const info = await f.at(v, 'Device.DeviceInfo.');
    expect(fmt(info.param('SerialNumber'))).toBe('r--n');
    expect(fmt(info.obj)).toBe('r--n');
    expect(fmt((await f.at(v, 'Device.WiFi.Radio.1.')).param('Channel'))).toBe('r---');
    // Each role alone.
    expect(fmt((await f.at(await f.view(roleRef(3)), 'Device.DeviceInfo.')).param('SerialNumber'))).toBe('---n');
    expect((await f.at(await f.view(roleRef(3)), 'Device.WiFi.Radio.1.')).param('Channel')).toBe(0);
  });

  it('a leaf target overrides a partial path for that item only', async () => {
    f = await accessFixture(
      role(2, 'NoSerial', [
        { order: 1, targets: 'Device.', ...ALL },
        { order: 2, targets: 'Device.DeviceInfo.SerialNumber,Device.Reboot()', ...ALL, param: '-w--', ce: 'r---' },
      ]),
    );
    const v = await f.view(roleRef(2));
    const info = await f.at(v, 'Device.DeviceInfo.');
    expect(fmt(info.param('SerialNumber'))).toBe('-w--');
    expect(fmt(info.param('Manufacturer'))).toBe('rwxn');
    const dev = await f.at(v, 'Device.');
    expect(fmt(dev.command('Reboot()'))).toBe('r---');
    expect(fmt(dev.command('FactoryReset()'))).toBe('rwxn');
  });

  it('without Obj r no value is readable (R-GET.1 note), writes are unaffected', async () => {
    f = await accessFixture(role(2, 'Blind', [{ order: 1, targets: 'Device.DeviceInfo.', param: 'rw--', obj: '-w--' }]));
    const info = await f.at(await f.view(roleRef(2)), 'Device.DeviceInfo.');
    expect(fmt(info.param('ProvisioningCode'))).toBe('-w--');
  });
});

describe('targets that pick rows', () => {
  it('instance numbers: blacklisting one row, whitelisting another', async () => {
    f = await accessFixture({
      ...role(2, 'NotRadio1', [
        { order: 1, targets: 'Device.', ...ALL },
        { order: 2, targets: 'Device.WiFi.Radio.1.', ...NONE },
      ]),
      ...role(3, 'OnlyRadio2', [
        { order: 1, targets: 'Device.WiFi.Radio.', ...NONE },
        { order: 2, targets: 'Device.WiFi.Radio.2.', ...ALL },
      ]),
    });
    const radio = f.model.requireNode('Device.WiFi.Radio.{i}.');
    const black = await f.view(roleRef(2));
    expect(await black.visibleInstances(radio, [], [1, 2, 3])).toEqual([2, 3]);
    expect((await f.at(black, 'Device.WiFi.Radio.1.')).param('Channel')).toBe(0);
    // The object type (Add, GetSupportedDM) is not a row: Radio.1's row does not apply.
    expect(fmt((await black.supported(radio, [])).obj)).toBe('rwxn');
    const white = await f.view(roleRef(3));
    expect(await white.visibleInstances(radio, [], [1, 2, 3])).toEqual([2]);
    expect(fmt((await f.at(white, 'Device.WiFi.Radio.2.')).param('Channel'))).toBe('rwxn');
    expect((await white.supported(radio, [])).obj).toBe(0);
  });

  it('search expressions are evaluated on the row and cover what is below it', async () => {
    f = await accessFixture(
      role(2, 'Guest', [
        { order: 1, targets: 'Device.', param: 'r---', obj: 'r---', inst: 'r---' },
        { order: 2, targets: 'Device.WiFi.SSID.[Name=="wl0.1"].,Device.WiFi.AccessPoint.[Alias=="cpe-ap-wl0.1"].', ...ALL },
      ]),
    );
    const v = await f.view(roleRef(2));
    expect(fmt((await f.at(v, 'Device.WiFi.SSID.4.')).param('SSID'))).toBe('rwxn');
    expect(fmt((await f.at(v, 'Device.WiFi.SSID.1.')).param('SSID'))).toBe('r---');
    expect((await f.at(v, 'Device.WiFi.SSID.1.')).param('SSID') & PERM_W).toBe(0);
    expect(fmt((await f.at(v, 'Device.WiFi.AccessPoint.4.Security.')).param('ModeEnabled'))).toBe('rwxn');
    expect(fmt((await f.at(v, 'Device.WiFi.AccessPoint.1.Security.')).param('ModeEnabled'))).toBe('r---');
    // Every row of the table is visible (Device. gives InstantiatedObj r).
    expect(await v.visibleInstances(f.model.requireNode('Device.WiFi.SSID.{i}.'), [], [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });

  it('wildcards and {i} cover every row; a search on an unknown level does not apply to the type', async () => {
    f = await accessFixture(
      role(2, 'Wild', [
        { order: 0, targets: 'Device.WiFi.Radio.', obj: 'r---', inst: 'r---' },
        { order: 1, targets: 'Device.WiFi.Radio.*.Channel', param: 'r---' },
        { order: 2, targets: 'Device.WiFi.AccessPoint.{i}.', ...ALL },
        { order: 3, targets: 'Device.WiFi.AccessPoint.[Enable==true].Security.', ...NONE },
      ]),
    );
    const v = await f.view(roleRef(2));
    expect(fmt((await f.at(v, 'Device.WiFi.Radio.3.')).param('Channel'))).toBe('r---');
    expect((await f.at(v, 'Device.WiFi.Radio.3.')).param('Enable')).toBe(0);
    expect(fmt((await f.at(v, 'Device.WiFi.AccessPoint.2.')).inst)).toBe('rwxn');
    expect((await f.at(v, 'Device.WiFi.AccessPoint.2.Security.')).obj).toBe(0);
    const sec = f.model.requireNode('Device.WiFi.AccessPoint.{i}.Security.');
    expect(fmt((await v.supported(sec, [])).obj)).toBe('rwxn');
  });
});

describe('what counts', () => {
  it('disabled Permission rows and disabled roles are ignored', async () => {
    f = await accessFixture({
      ...role(2, 'HalfOff', [
        { order: 1, targets: 'Device.', ...ALL },
        { order: 2, targets: 'Device.DeviceInfo.', ...NONE, enable: false },
      ]),
      ...role(3, 'Off', [{ order: 1, targets: 'Device.', ...ALL }], false),
    });
    expect(fmt((await f.at(await f.view(roleRef(2)), 'Device.DeviceInfo.')).param('SerialNumber'))).toBe('rwxn');
    const off = await f.view(roleRef(3));
    expect((await f.at(off, 'Device.DeviceInfo.')).param('SerialNumber')).toBe(0);
    expect(await off.visibleInstances(f.model.requireNode('Device.WiFi.Radio.{i}.'), [], [1])).toEqual([]);
  });

  it('Role.1 grants what its Permission rows say, like any role', async () => {
    f = await accessFixture(role(1, 'Full Access', [{ order: 1, targets: 'Device.', ...NONE }]));
    const v = await f.view(roleRef(1));
    expect((await f.at(v, 'Device.LocalAgent.ControllerTrust.')).param('SecuredRoles')).toBe(0);
    expect(v.secured).toBe(false);
  });

  it('no controller may write the built-in Role.1 or its rows, whatever its roles; other roles stay writable', async () => {
    f = await accessFixture({
      ...role(1, 'Full Access', [{ order: 1, targets: 'Device.', ...ALL }]),
      ...role(2, 'Other', [{ order: 1, targets: 'Device.', ...ALL }]),
    });
    const v = await f.view(roleRef(1));
    const roleNode = f.model.requireNode('Device.LocalAgent.ControllerTrust.Role.{i}.');
    const permNode = f.model.requireNode('Device.LocalAgent.ControllerTrust.Role.{i}.Permission.{i}.');
    const r1 = await f.at(v, 'Device.LocalAgent.ControllerTrust.Role.1.');
    expect(r1.param('Name') & (PERM_R | PERM_W)).toBe(PERM_R);
    expect(r1.inst & (PERM_R | PERM_W)).toBe(PERM_R);
    expect((await f.at(v, 'Device.LocalAgent.ControllerTrust.Role.1.Permission.1.')).param('Param') & (PERM_R | PERM_W)).toBe(PERM_R);
    expect((await v.supported(permNode, [1])).obj & PERM_W).toBe(0);
    // A new role, and everything of Role.2, remain writable.
    expect((await v.supported(roleNode, [])).obj & PERM_W).toBe(PERM_W);
    expect((await v.supported(permNode, [2])).obj & PERM_W).toBe(PERM_W);
    expect(fmt((await f.at(v, 'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.')).param('Param'))).toBe('rwxn');
    expect(fmt((await f.at(v, 'Device.DeviceInfo.')).param('SerialNumber'))).toBe('rwxn');
  });

  it('no roles, unknown roles and references to nothing give no access', async () => {
    f = await accessFixture(role(2, 'Some', [{ order: 1, targets: 'Device.', ...ALL }]));
    for (const roles of ['', roleRef(9), 'Device.LocalAgent.Nope.1']) {
      const v = await f.view(roles);
      expect((await f.at(v, 'Device.DeviceInfo.')).obj).toBe(0);
    }
  });

  it('key-based role references count; SecuredRoles marks a controller secured', async () => {
    f = await accessFixture({
      ...role(2, 'Admin', [{ order: 1, targets: 'Device.', ...ALL }]),
      'Device.LocalAgent.ControllerTrust.SecuredRoles': 'Device.LocalAgent.ControllerTrust.Role.2',
    });
    const v = await f.view('Device.LocalAgent.ControllerTrust.Role.[Name=="Admin"]');
    expect(v.secured).toBe(true);
    expect((await f.at(v, 'Device.DeviceInfo.')).param('SerialNumber') & PERM_R).toBe(PERM_R);
  });
});

describe('caching', () => {
  it('recomputes after a Permission row changes (change feed), and after invalidate()', async () => {
    f = await accessFixture(role(2, 'R', [{ order: 1, targets: 'Device.', ...ALL }]));
    const before = await f.access.permissionsFor(roleRef(2));
    expect(await f.access.permissionsFor(roleRef(2))).toBe(before);
    const perm = f.model.requireNode('Device.LocalAgent.ControllerTrust.Role.{i}.Permission.{i}.');
    const tx = new Transaction(f.model, {});
    await tx.set({ node: perm, keys: [2, 1] }, { Param: 'r---' });
    await tx.commit();
    const after = await f.access.permissionsFor(roleRef(2));
    expect(after).not.toBe(before);
    expect(fmt((await f.at(after.view(), 'Device.DeviceInfo.')).param('SerialNumber'))).toBe('r---');
    f.access.invalidate();
    expect(await f.access.permissionsFor(roleRef(2))).not.toBe(after);
  });

  it('summaries without row-picking targets are shared by every row', async () => {
    f = await accessFixture(
      role(2, 'R', [
        { order: 1, targets: 'Device.', ...ALL },
        { order: 2, targets: 'Device.WiFi.Radio.2.', ...NONE },
      ]),
    );
    const v = await f.view(roleRef(2));
    const ssid = f.model.requireNode('Device.WiFi.SSID.{i}.');
    // Not a promise: decided once for the node.
    expect(v.instance({ node: ssid, keys: [1] })).toBe(v.instance({ node: ssid, keys: [3] }));
    expect(v.instance({ node: f.model.requireNode('Device.WiFi.Radio.{i}.'), keys: [1] })).toBeInstanceOf(Promise);
  });
});

describe('the example factory defaults', () => {
  it('their "rw-n"/"r-xn" Role.1 rows mean full use of everything, even read as an ordinary role', async () => {
    const { readFileSync } = await import('node:fs');
    const example = JSON.parse(readFileSync(new URL('../../../../examples/factory-defaults.json', import.meta.url), 'utf8')) as Record<string, string | number | boolean>;
    // The same rows under Role.2, which is not the built-in full-access role.
    const rows = Object.fromEntries(
      Object.entries(example)
        .filter(([k]) => k.startsWith('Device.LocalAgent.ControllerTrust.Role.1.'))
        .map(([k, v]) => [k.replace('Role.1.', 'Role.2.'), k.endsWith('.Name') ? 'Copy' : k.endsWith('.Alias') ? 'copy' : v]),
    );
    f = await accessFixture(rows);
    const v = await f.view(roleRef(2));
    // Every right that means something for each kind of item (x on a parameter means nothing).
    const has = (bits: number, need: string): boolean => need.split('').every((c, i) => c === '-' || fmt(bits)[i] === c);
    const sub = await f.at(v, 'Device.LocalAgent.');
    expect(has(sub.param('EndpointID'), 'rw-n')).toBe(true);
    expect(has((await v.supported(f.model.requireNode('Device.LocalAgent.Subscription.{i}.'), [])).obj, 'rw-n')).toBe(true);
    expect(has((await f.at(v, 'Device.WiFi.Radio.1.')).inst, 'rw-n')).toBe(true);
    expect(has((await f.at(v, 'Device.')).command('Reboot()'), 'r-xn')).toBe(true);
  });
});
