/**
 * The package format of the execution environments (platform/software/tar-gz.ts,
 * package-manifest.ts): archives made by the real `tar`, hand-made hostile headers, manifests.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { nameFromUrl, unitFrom } from '../../../../platform/software/package-manifest.js';
import { CorruptArchive, readTarGz } from '../../../../platform/software/tar-gz.js';
import { unpackTarGz } from '../../../../platform/software/unpack.js';
import { PackageError } from '../../../../platform/software/ExecutionEnvironment.js';
import { findOciRuntime } from '../../../../platform/linux/oci-ee.js';
import { corruptGzip, tarGz } from '../../../peers/software-packages.js';

const LIMITS = { maxEntries: 100, maxBytes: 1 << 20 };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One ustar header + body for `name` of `type`, with a correct checksum. */
function entry(name: string, body: string, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body);
  return Buffer.concat([h, data]);
}
const archive = (...entries: Buffer[]): Buffer => gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));

describe('readTarGz', () => {
  it('reads what GNU tar writes, long names included', () => {
    const long = `${'d'.repeat(60)}/${'f'.repeat(80)}.txt`;
    const entries = readTarGz(tarGz({ 'a.txt': 'A', [long]: 'L', 'bin/run.sh': '#!/bin/sh\n' }), LIMITS);
    expect(
      entries
        .filter((e) => e.kind === 'file')
        .map((e) => e.path)
        .sort(),
    ).toEqual(['a.txt', 'bin/run.sh', long].sort());
    expect(entries.find((e) => e.path === 'bin/run.sh')!.mode & 0o111).not.toBe(0);
  });

  it('refuses paths that leave the package, links, bad checksums and non-gzip data', () => {
    expect(() => readTarGz(archive(entry('../evil', 'x')), LIMITS)).toThrow(CorruptArchive);
    expect(() => readTarGz(archive(entry('/etc/passwd', 'x')), LIMITS)).toThrow(CorruptArchive);
    expect(() => readTarGz(archive(entry('a/../../evil', 'x')), LIMITS)).toThrow(/leaves the package/);
    expect(() => readTarGz(archive(entry('link', '', '2')), LIMITS)).toThrow(/links/);
    const bad = entry('a.txt', 'x');
    bad[148] = 0x37;
    expect(() => readTarGz(archive(bad), LIMITS)).toThrow(/checksum/);
    expect(() => readTarGz(corruptGzip(), LIMITS)).toThrow(/gzip/);
  });

  it('is bounded: entries and unpacked size', () => {
    expect(() => readTarGz(archive(entry('a', 'x'), entry('b', 'y')), { maxEntries: 1, maxBytes: 1 << 20 })).toThrow(/more than 1 entries/);
    expect(() => readTarGz(archive(entry('a', 'x'.repeat(5000))), { maxEntries: 10, maxBytes: 2048 })).toThrow(CorruptArchive);
  });
});

describe('unpackTarGz', () => {
  it('too big for the space left is 7227, corrupt is 7035, not a tar.gz is undefined', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-unpack-'));
    dirs.push(dir);
    const write = (name: string, b: Buffer): string => {
      const f = join(dir, name);
      writeFileSync(f, b);
      return f;
    };
    await expect(unpackTarGz(write('big.tgz', tarGz({ 'x.bin': 'x'.repeat(10_000) })), join(dir, 'u1'), 4096)).rejects.toMatchObject({ code: 7227 });
    await expect(unpackTarGz(write('bad.tgz', corruptGzip()), join(dir, 'u2'), 1 << 20)).rejects.toBeInstanceOf(PackageError);
    await expect(unpackTarGz(write('bad2.tgz', corruptGzip()), join(dir, 'u2'), 1 << 20)).rejects.toMatchObject({ code: 7035 });
    expect(await unpackTarGz(write('plain.bin', Buffer.from('plain')), join(dir, 'u3'), 1 << 20)).toBeUndefined();
    mkdirSync(join(dir, 'u4'));
    await unpackTarGz(write('ok.tgz', tarGz({ 'sub/a.txt': 'hello' })), join(dir, 'u4'), 1 << 20);
    expect(readFileSync(join(dir, 'u4', 'sub', 'a.txt'), 'utf8')).toBe('hello');
  });
});

describe('manifest.json', () => {
  it('names the unit and its execution units', () => {
    const entries = readTarGz(
      tarGz(
        {},
        {
          name: 'app',
          version: '2.1',
          vendor: 'V',
          description: 'd',
          executionUnits: [
            { name: 'a', entryPoint: ['./a'] },
            { name: 'b', autoStart: true },
          ],
        },
      ),
      LIMITS,
    );
    expect(unitFrom(entries, 'http://x/y.tar.gz')).toMatchObject({
      name: 'app',
      version: '2.1',
      vendor: 'V',
      description: 'd',
      executionUnits: [
        { name: 'a', label: 'a', entryPoint: ['./a'], autoStart: false, vendor: 'V', version: '2.1' },
        { name: 'b', autoStart: true },
      ],
    });
  });

  it('without one, the URL names the unit; a broken one is corrupt', () => {
    expect(nameFromUrl('https://h/p/router-app-1.4.2.tar.gz')).toEqual({ name: 'router-app', version: '1.4.2' });
    expect(nameFromUrl('https://h/p/tool_v3.bin')).toEqual({ name: 'tool', version: '3' });
    expect(nameFromUrl('https://h/p/blob')).toEqual({ name: 'blob', version: '1.0' });
    expect(unitFrom(undefined, 'https://h/x-2.0.ipk').executionUnits).toEqual([expect.objectContaining({ name: 'x', version: '2.0' })]);
    expect(() => unitFrom([{ path: 'manifest.json', kind: 'file', mode: 0o644, data: Buffer.from('{nope') }], 'http://x/y')).toThrow(CorruptArchive);
    expect(() => unitFrom([{ path: 'manifest.json', kind: 'file', mode: 0o644, data: Buffer.from('{"executionUnits":[{"name":"a"},{"name":"a"}]}') }], 'http://x/y')).toThrow(/same name/);
    expect(() => unitFrom([{ path: 'manifest.json', kind: 'file', mode: 0o644, data: Buffer.from('{"executionUnits":[{"entryPoint":"sh"}]}') }], 'http://x/y')).toThrow(/entryPoint/);
  });
});

describe('findOciRuntime', () => {
  const host =
    (...present: string[]) =>
    (p: string) =>
      present.includes(p);
  it('prefers crun, takes runc on hybrid cgroups where crun cannot run, none without either', () => {
    expect(findOciRuntime(host('/usr/bin/crun', '/usr/sbin/runc'))).toBe('/usr/bin/crun');
    expect(findOciRuntime(host('/usr/bin/crun', '/usr/sbin/runc', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/memory'))).toBe('/usr/sbin/runc');
    expect(findOciRuntime(host('/usr/bin/crun', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/memory'))).toBe('/usr/bin/crun');
    expect(findOciRuntime(host())).toBeUndefined();
  });
});
