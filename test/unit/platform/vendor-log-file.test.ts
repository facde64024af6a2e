/** The log sources of Device.DeviceInfo.VendorLogFile.{i}.: the mount a path is on, whether it survives a reboot, the newest bytes read. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsTypeOf, logNameOf, onPersistentFs, readTail } from '../../../platform/vendor-log-file.js';
import { UspError } from '../../../datamodel/UspError.js';

const work = mkdtempSync(join(tmpdir(), 'usp-vendor-log-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// An OpenWrt-like mount table: / is the overlay on flash, /tmp RAM, /mnt/log data a space in its name.
const MOUNTINFO = [
  '17 1 0:2 / / rw,noatime - overlay overlayfs:/overlay rw',
  '14 17 0:13 / /tmp rw,nosuid,nodev,noatime - tmpfs tmpfs rw',
  '30 17 31:3 / /mnt/log\\040data rw,noatime - jffs2 /dev/mtdblock3 rw',
  '31 14 0:14 / /tmp/sub rw - ext4 /dev/sda1 rw',
].join('\n');
const mountinfo = join(work, 'mountinfo');
writeFileSync(mountinfo, MOUNTINFO);

describe('fsTypeOf', () => {
  it.each([
    ['/var/log/messages', 'overlay'],
    ['/tmp/log/messages', 'tmpfs'],
    ['/tmp', 'tmpfs'],
    ['/tmpfile', 'overlay'],
    ['/mnt/log data/app.log', 'jffs2'],
    ['/tmp/sub/x.log', 'ext4'],
  ])('%s is on %s', (path, type) => expect(fsTypeOf(path, mountinfo)).toBe(type));

  it('no mount table: unknown', () => expect(fsTypeOf('/x', join(work, 'none'))).toBeUndefined());
});

describe('onPersistentFs', () => {
  it("this host's /dev/shm is RAM; a missing file is judged by its directory; an unknown filesystem is not persistent", async () => {
    expect(await onPersistentFs('/dev/shm/whatever.log')).toBe(false);
    expect(await onPersistentFs(join(work, 'not-yet.log'))).toBe(await onPersistentFs(work));
    expect(await onPersistentFs(join(work, 'x'), join(work, 'none'))).toBe(false);
  });
});

describe('readTail and logNameOf', () => {
  it('reads the newest bytes only; a missing file is 7022', async () => {
    const f = join(work, 'big.log');
    writeFileSync(f, 'old old old\nnew line\n');
    expect((await readTail(f, 9)).toString()).toBe('new line\n');
    expect((await readTail(f)).toString()).toBe('old old old\nnew line\n');
    await expect(readTail(join(work, 'gone.log'))).rejects.toMatchObject({ code: 7022 });
    await expect(readTail(work)).rejects.toBeInstanceOf(UspError);
  });

  it('a path over 64 characters keeps its end', () => {
    const long = `/very/${'deep/'.repeat(20)}app.log`;
    expect(logNameOf(long)).toHaveLength(64);
    expect(logNameOf(long).endsWith('/app.log')).toBe(true);
    expect(logNameOf('/var/log/app.log')).toBe('/var/log/app.log');
  });
});
