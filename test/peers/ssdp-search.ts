/**
 * A UPnP control point's SSDP search from inside a network namespace: a node:dgram socket in a
 * child (`ip netns exec NS node -e ...`) sends one M-SEARCH to 239.255.255.250:1900 and prints
 * the answers it gets within `waitMs` (or the first one, with `first`), as a LAN host's control
 * point would see them.
 */
import { execFile } from 'node:child_process';

/** One SSDP answer: its headers (names upper-cased) and the address it came from. */
export interface SsdpAnswer {
  from: string;
  headers: Record<string, string>;
}

const SEARCHER = String.raw`
const dgram = require('node:dgram');
const [st, waitMs, first] = [process.argv[1], Number(process.argv[2]), process.argv[3] === 'first'];
const s = dgram.createSocket('udp4');
const answers = [];
s.on('message', (m, r) => {
  const headers = {};
  for (const line of m.toString('utf8').split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toUpperCase()] = line.slice(i + 1).trim();
  }
  answers.push({ from: r.address, headers });
  if (first) done();
});
const done = () => { process.stdout.write(JSON.stringify(answers)); process.exit(0); };
s.bind(0, () => {
  const msg = ['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: "ssdp:discover"', 'MX: 1', 'ST: ' + st, '', ''].join('\r\n');
  s.send(Buffer.from(msg), 1900, '239.255.255.250');
  setTimeout(done, waitMs);
});
`;

/**
 * Sends one M-SEARCH for `st` from namespace `ns` and resolves with the answers heard within
 * `waitMs` (MX is 1: a device answers within a second), or with the first one when `first`.
 */
export function ssdpSearch(ns: string, st: string, opts: { waitMs?: number; first?: boolean } = {}): Promise<SsdpAnswer[]> {
  const waitMs = opts.waitMs ?? 1500;
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', SEARCHER, st, String(waitMs), opts.first ? 'first' : 'all'], { encoding: 'utf8', timeout: waitMs + 10_000 }, (e, stdout, stderr) => {
      if (e) reject(new Error(`M-SEARCH in ${ns} failed: ${stderr || e.message}`));
      else resolve(JSON.parse(stdout) as SsdpAnswer[]);
    });
  });
}
