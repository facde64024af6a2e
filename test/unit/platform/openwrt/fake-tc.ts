/**
 * Stand-ins for `tc` and `nft` in a fake OpenWrt userland (fake-openwrt.ts), for the QoS tests.
 * Written by us (kind **stand-in**, not recorded): they log their argv to the fake's calls.log
 * like the other stand-ins and keep the root qdisc of each device in tc-qdisc.json the way the
 * kernel does, so the agent's own reads see what it and "other programs" did (sh and awk):
 *
 * - `tc -j qdisc show` prints the roots kept in tc-qdisc.tsv as JSON, rows in the layout iproute2 6.x prints (`kind`,
 *   `handle`, `dev`, `root`). At first: the recorded router's devices with the kernel's default
 *   root qdiscs (handle 0:): fq_codel (OpenWrt's default_qdisc) on the Ethernet ports, noqueue
 *   on lo, the VLAN device, the bridge and the Wi-Fi interface.
 * - `tc -batch -` reads its lines; each `qdisc add dev D root handle H KIND ...` replaces D's
 *   default root, and fails like the kernel ("NLM_F_REPLACE needed to override", exit 2) where
 *   D's root has a handle of its own. The lines are appended to tc-batch.txt.
 * - `tc qdisc del dev D root` puts the default back (fq_codel 0:); on a default root it fails as
 *   the kernel does ("Cannot delete qdisc with handle of zero").
 * - every other tc call (`-s class show dev D`) prints nothing and succeeds.
 * - `nft ...` appends what it reads on stdin to nft-input.txt and succeeds, printing nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FakeOpenWrt } from './fake-openwrt.js';

/** One row of `tc -j qdisc show`. */
export interface QdiscRow {
  kind: string;
  handle: string;
  dev: string;
  root: true;
}

const DEFAULT_ROOTS: readonly QdiscRow[] = [
  { kind: 'noqueue', handle: '0:', dev: 'lo', root: true },
  { kind: 'fq_codel', handle: '0:', dev: 'eth0', root: true },
  { kind: 'fq_codel', handle: '0:', dev: 'eth1', root: true },
  { kind: 'noqueue', handle: '0:', dev: 'eth1.2', root: true },
  { kind: 'noqueue', handle: '0:', dev: 'br-lan', root: true },
  { kind: 'noqueue', handle: '0:', dev: 'phy1-ap0', root: true },
];

// Shell and awk rather than Node: the agent runs tc several times per change, and a Node start
// per call would make the tests slow on a loaded machine. State: tc-qdisc.tsv, "dev kind handle".
const LOG = String.raw`log() { printf '['; sep=''; for a in "$@"; do printf '%s"%s"' "$sep" "$a"; sep=','; done; printf ']\n'; }`;

const TC = String.raw`#!/bin/sh
DIR=__DIR__
__LOG__
log tc "$@" >> "$DIR/calls.log"
S="$DIR/tc-qdisc.tsv"
if [ "$*" = "-j qdisc show" ]; then
  awk 'BEGIN { printf "[" } { printf "%s{\"kind\":\"%s\",\"handle\":\"%s\",\"dev\":\"%s\",\"root\":true}", (NR > 1 ? "," : ""), $2, $3, $1 } END { print "]" }' "$S"
  exit 0
fi
if [ "$1" = "-batch" ]; then
  cat > "$DIR/tc-batch.now"
  cat "$DIR/tc-batch.now" >> "$DIR/tc-batch.txt"
  awk -v out="$S.new" '
    FNR == NR { kind[$1] = $2; handle[$1] = $3; order[++n] = $1; next }
    /^qdisc add dev [^ ]+ root handle / {
      d = $4
      if (d in handle && handle[d] != "0:") { printf "Error: NLM_F_REPLACE needed to override.\nCommand failed -:%d\n", FNR > "/dev/stderr"; failed = 1; exit }
      if (!(d in handle)) order[++n] = d
      kind[d] = $8; handle[d] = $7
    }
    END { if (failed) exit 2; for (i = 1; i <= n; i++) print order[i], kind[order[i]], handle[order[i]] > out }' "$S" "$DIR/tc-batch.now" || exit 2
  mv "$S.new" "$S"
  exit 0
fi
if [ "$1 $2 $5" = "qdisc del root" ]; then
  awk -v d="$4" -v out="$S.new" '
    $1 == d { if ($3 == "0:") { print "Error: Cannot delete qdisc with handle of zero." > "/dev/stderr"; bad = 1 } else { $2 = "fq_codel"; $3 = "0:" } }
    { print > out }
    END { exit bad ? 2 : 0 }' "$S" || exit 2
  mv "$S.new" "$S"
fi
exit 0
`;

const NFT = String.raw`#!/bin/sh
DIR=__DIR__
__LOG__
log nft "$@" >> "$DIR/calls.log"
case " $* " in *" -f "*) cat >> "$DIR/nft-input.txt" ;; esac
exit 0
`;

export interface FakeTc {
  /** The root qdiscs now (what `tc -j qdisc show` prints). */
  roots(): QdiscRow[];
  /** Sets device `dev`'s root qdisc, as another program (SQM, qos-scripts) would. */
  setRoot(dev: string, kind: string, handle: string): void;
  /** Every line the agent gave `tc -batch -` so far. */
  batchLines(): string[];
  /** What the agent gave `nft -f -` so far. */
  nftInput(): string;
}

/** Installs the tc and nft stand-ins into `fake`'s bin (replacing its nft). */
export function installFakeTc(fake: FakeOpenWrt): FakeTc {
  const file = path.join(fake.dir, 'tc-qdisc.tsv');
  const write = (rows: readonly QdiscRow[]): void => fs.writeFileSync(file, rows.map((r) => `${r.dev} ${r.kind} ${r.handle}\n`).join(''));
  const roots = (): QdiscRow[] =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [dev, kind, handle] = l.split(' ') as [string, string, string];
        return { dev, kind, handle, root: true };
      });
  write(DEFAULT_ROOTS);
  for (const [name, script] of [
    ['tc', TC],
    ['nft', NFT],
  ] as const)
    fs.writeFileSync(path.join(fake.bin, name), script.replace('__DIR__', JSON.stringify(fake.dir)).replace('__LOG__', LOG), { mode: 0o755 });
  const read = (name: string): string => (fs.existsSync(path.join(fake.dir, name)) ? fs.readFileSync(path.join(fake.dir, name), 'utf8') : '');
  return {
    roots,
    setRoot: (dev, kind, handle) => write([...roots().filter((r) => r.dev !== dev), { kind, handle, dev, root: true }]),
    batchLines: () =>
      read('tc-batch.txt')
        .split('\n')
        .filter((l) => l !== ''),
    nftInput: () => read('nft-input.txt'),
  };
}
