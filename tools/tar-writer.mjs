// @ts-check
/**
 * A small ustar (POSIX.1-1988) writer: directories, regular files and symbolic links, owned by
 * root, with one fixed mtime so the same input gives the same bytes. Enough for the three tar
 * archives of an OpenWrt .ipk (opkg and busybox tar read ustar); written here so the package
 * builds without the OpenWrt SDK and without relying on the host's tar flags.
 */

/** @typedef {{ name: string, type: 'dir' } | { name: string, type: 'file', data: Buffer, mode?: number } | { name: string, type: 'symlink', target: string }} TarEntry */

const BLOCK = 512;

/**
 * The archive: each entry's header and data padded to 512-byte blocks, then two zero blocks.
 * Names are taken as given ("./usr/bin/usp-agent"); directories get a trailing slash.
 * @param {TarEntry[]} entries
 * @param {number} mtime seconds since the epoch, for every entry
 * @returns {Buffer}
 */
export function tar(entries, mtime) {
  /** @type {Buffer[]} */
  const parts = [];
  for (const e of entries) {
    const data = e.type === 'file' ? e.data : Buffer.alloc(0);
    const name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
    const mode = e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : (e.mode ?? 0o644);
    parts.push(header({ name, mode, size: data.length, mtime, typeflag: e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0', linkname: e.type === 'symlink' ? e.target : '' }));
    if (data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * One 512-byte ustar header. A name longer than 100 bytes is split at a slash into prefix (155)
 * and name (100), as ustar allows.
 * @param {{ name: string, mode: number, size: number, mtime: number, typeflag: string, linkname: string }} h
 */
function header(h) {
  const b = Buffer.alloc(BLOCK);
  let name = h.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`tar: name too long for ustar: ${h.name}`);
  }
  if (Buffer.byteLength(h.linkname) > 100) throw new Error(`tar: link target too long for ustar: ${h.linkname}`);
  b.write(name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, 0); // uid root
  octal(b, 116, 8, 0); // gid root
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime);
  b.fill(' ', 148, 156); // checksum field counts as spaces while summing
  b.write(h.typeflag, 156, 1, 'ascii');
  b.write(h.linkname, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'ascii');
  b.write('root', 265, 32, 'ascii');
  b.write('root', 297, 32, 'ascii');
  b.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return b;
}

/**
 * A zero-padded octal number ending in NUL, as ustar numeric fields are.
 * @param {Buffer} b
 * @param {number} at
 * @param {number} width
 * @param {number} value
 */
function octal(b, at, width, value) {
  const text = value.toString(8).padStart(width - 1, '0');
  if (text.length > width - 1) throw new Error(`tar: ${value} does not fit a ${width}-byte field`);
  b.write(`${text}\u0000`, at, width, 'ascii');
}
