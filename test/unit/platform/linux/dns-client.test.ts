import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { parseNameservers } from '../../../../platform/linux/dns-client.js';
import { parseResolvState, withClientEnable, withServerInterface } from '../../../../platform/linux/resolv-conf-lines.js';
import { FakeHost, type LinuxFixture, linuxHost } from './fake-host.js';

describe('linux platform: Device.DNS.Client.Server from resolv.conf', () => {
  let f: LinuxFixture;
  afterEach(() => f.cleanup());

  it('reads /etc/resolv.conf without --manage-dns, and refuses changes with 7002 naming the option', async () => {
    const host = new FakeHost();
    host.write('etc/resolv.conf', 'nameserver 192.0.2.1\n# nameserver 192.0.2.9\nnameserver 2001:db8::1\n');
    f = linuxHost({}, host);
    const rows = await f.byPath();
    expect(rows.get('Device.DNS.Client.Server.1.')).toMatchObject({ DNSServer: '192.0.2.1', Type: 'Static' });
    expect(rows.get('Device.DNS.Client.Server.2.')).toMatchObject({ DNSServer: '2001:db8::1' });
    expect(rows.has('Device.DNS.Client.Server.3.')).toBe(false);
    const servers = f.model.bindingAt('Device.DNS.Client.Server.{i}.')!;
    await expect(Promise.resolve(servers.add!([], { DNSServer: '192.0.2.2' }, {}))).rejects.toMatchObject({
      code: ErrorCode.RequestDenied,
      message: expect.stringContaining('--manage-dns') as string,
    });
    await expect(Promise.resolve(servers.delete!([1], {}))).rejects.toMatchObject({ code: ErrorCode.RequestDenied });
  });

  it("serves systemd-resolved's upstream servers when /etc/resolv.conf is its stub", async () => {
    const host = new FakeHost();
    host.write('etc/resolv.conf', '# This is /run/systemd/resolve/stub-resolv.conf\nnameserver 127.0.0.53\noptions edns0 trust-ad\n');
    host.write('run/systemd/resolve/resolv.conf', 'nameserver 198.51.100.1\nnameserver 198.51.100.2\n');
    f = linuxHost({}, host);
    const rows = await f.byPath();
    expect([...rows].filter(([p]) => p.startsWith('Device.DNS.Client.Server.')).map(([, v]) => v.DNSServer)).toEqual(['198.51.100.1', '198.51.100.2']);
  });

  it('keeps at most 16 servers, each once', () => {
    const text = Array.from({ length: 20 }, (_, i) => `nameserver 192.0.2.${i}\nnameserver 192.0.2.${i}\n`).join('');
    expect(parseNameservers(text)).toHaveLength(16);
  });

  it('keeps a switched-off server as a marked comment the resolver skips, and the client switch as its own mark', () => {
    const text = 'search lan\nnameserver 192.0.2.1\n#usp-agent:disabled nameserver 192.0.2.2\n# nameserver 192.0.2.9\n';
    expect(parseResolvState(text, 16)).toEqual({
      clientEnable: true,
      servers: [
        { addr: '192.0.2.1', enable: true },
        { addr: '192.0.2.2', enable: false },
      ],
      interfaces: new Map(),
    });
    const off = withClientEnable(text.trimEnd().split('\n'), false);
    expect(off).toEqual(['#usp-agent:client-off', 'search lan', '#usp-agent:client-off nameserver 192.0.2.1', '#usp-agent:disabled nameserver 192.0.2.2', '# nameserver 192.0.2.9']);
    expect(parseNameservers(off.join('\n'))).toEqual([]);
    expect(parseResolvState(off.join('\n'), 16).clientEnable).toBe(false);
    expect(withClientEnable(off, true).join('\n')).toBe(text.trimEnd());
  });

  it('keeps Server.{i}.Interface by netdev name on a mark line the resolver skips, only for servers of the file', () => {
    const lines = ['nameserver 192.0.2.1', 'nameserver 2001:db8::53'];
    const pinned = withServerInterface(withServerInterface(lines, '192.0.2.1', 'wwan0'), '2001:db8::53', 'eth0');
    expect(pinned).toEqual([...lines, '#usp-agent:interface 192.0.2.1 wwan0', '#usp-agent:interface 2001:db8::53 eth0']);
    expect(parseNameservers(pinned.join('\n'))).toEqual(['192.0.2.1', '2001:db8::53']);
    const moved = withServerInterface(pinned, '192.0.2.1', 'eth1');
    expect(parseResolvState(moved.join('\n'), 16).interfaces).toEqual(
      new Map([
        ['2001:db8::53', 'eth0'],
        ['192.0.2.1', 'eth1'],
      ]),
    );
    expect(withServerInterface(moved, '192.0.2.1', undefined)).toEqual([...lines, '#usp-agent:interface 2001:db8::53 eth0']);
    // A mark for a server no longer in the file binds nothing.
    expect(parseResolvState('nameserver 192.0.2.1\n#usp-agent:interface 192.0.2.9 eth0\n', 16).interfaces).toEqual(new Map());
  });

  it('with --manage-dns, Enable false comments a server out (row kept); a failed Delete puts it back as it was', async () => {
    const host = new FakeHost();
    host.write('etc/resolv.conf', 'nameserver 192.0.2.1\nnameserver 192.0.2.2\n');
    f = linuxHost({ manageDns: `${host.etcRoot}/resolv.conf` }, host);
    await f.byPath();
    const servers = f.model.bindingAt('Device.DNS.Client.Server.{i}.')!;
    await servers.set!([2], { Enable: false }, {});
    expect(readFileSync(`${host.etcRoot}/resolv.conf`, 'utf8')).toBe('nameserver 192.0.2.1\n#usp-agent:disabled nameserver 192.0.2.2\n');
    const rows = await f.byPath();
    expect(rows.get('Device.DNS.Client.Server.2.')).toMatchObject({ Enable: false, Status: 'Disabled', DNSServer: '192.0.2.2' });
    // A failed message puts a deleted server back as it was: still switched off.
    const snap = servers.snapshot!([2]);
    await servers.delete!([2], {});
    expect(readFileSync(`${host.etcRoot}/resolv.conf`, 'utf8')).toBe('nameserver 192.0.2.1\n');
    await servers.restore!([2], snap);
    expect(readFileSync(`${host.etcRoot}/resolv.conf`, 'utf8')).toBe('nameserver 192.0.2.1\n#usp-agent:disabled nameserver 192.0.2.2\n');
    // Interface must name an IP.Interface row (linux-dns-client-interface.test.ts pins real routes); the file stays as it was.
    await expect(Promise.resolve(servers.set!([1], { Interface: 'Device.IP.Interface.99' }, {}))).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
    expect(readFileSync(`${host.etcRoot}/resolv.conf`, 'utf8')).toBe('nameserver 192.0.2.1\n#usp-agent:disabled nameserver 192.0.2.2\n');
  });
});
