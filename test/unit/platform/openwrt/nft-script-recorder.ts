/**
 * An `nft` stand-in for the OpenWrt tests that keeps what the agent feeds it: it replaces the
 * fake userland's bin/nft (fake-openwrt.ts) with a script that appends each invocation's argv and
 * standard input to nft-scripts.jsonl and succeeds, or fails with "Error: ..." on stderr, exit 1,
 * while the file nft-fail exists. What a kernel makes of the scripts is the Linux tests' (real nft).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FakeOpenWrt } from './fake-openwrt.js';

const RECORDER = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const DIR = __DIR__;
const argv = process.argv.slice(2);
const input = argv.includes('-') ? fs.readFileSync(0, 'utf8') : '';
fs.appendFileSync(path.join(DIR, 'nft-scripts.jsonl'), JSON.stringify({ argv, input }) + '\n');
if (fs.existsSync(path.join(DIR, 'nft-fail'))) { process.stderr.write('Error: Could not process rule: Operation not supported\n'); process.exit(1); }
`;

export interface NftRecorder {
  /** The scripts of the `nft -f -` calls so far, in order. */
  scripts(): string[];
  /** Makes every nft call fail (as a kernel without the bridge family answers) until called with false. */
  fail(on: boolean): void;
}

export function recordNft(fake: FakeOpenWrt): NftRecorder {
  fs.writeFileSync(path.join(fake.bin, 'nft'), RECORDER.replace('__DIR__', JSON.stringify(fake.dir)), { mode: 0o755 });
  const log = path.join(fake.dir, 'nft-scripts.jsonl');
  return {
    scripts: () =>
      (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[]; input: string })
        .filter((c) => c.argv.join(' ') === '-f -')
        .map((c) => c.input),
    fail: (on) => {
      const f = path.join(fake.dir, 'nft-fail');
      if (on) fs.writeFileSync(f, '');
      else fs.rmSync(f, { force: true });
    },
  };
}
