/**
 * A fake `mmcli` executable in a temp dir: replays the recorded outputs in
 * test/fixtures/modemmanager, logs every argv line, and fails on demand (a `fail` file next to
 * it), like mmcli does when ModemManager is not running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type ObjectValues, readSubtree } from '../../../../datamodel/tree/read-object.js';
import { type ModemManagerOptions, registerModemManagerPlatform } from '../../../../platform/modemmanager/index.js';
import { removeStandInDir } from '../stand-in-dir.js';

const FIXTURES = new URL('../../../fixtures/modemmanager/', import.meta.url).pathname;
const schema = Schema.load();

/** argv (joined by spaces) → the fixture printed. */
export const REPLIES: Readonly<Record<string, string>> = {
  '-L -J': 'mmcli-L.json',
  '-m 0 -J': 'mmcli-m0.json',
  '-m 0 --signal-get -J': 'mmcli-m0-signal-get.json',
  '-b 1 -J': 'mmcli-b1.json',
  '-i 0 -J': 'mmcli-i0.json',
};

export class FakeMmcli {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-mmcli-'));
  readonly binDir = path.join(this.dir, 'bin');
  private readonly replies = path.join(this.dir, 'replies');
  private readonly log = path.join(this.dir, 'argv.log');

  constructor() {
    fs.mkdirSync(this.binDir);
    fs.mkdirSync(this.replies);
    for (const [args, file] of Object.entries(REPLIES)) this.reply(args, fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
    // One reply file per argument line ("-m 0 -J" → replies/-m_0_-J); --signal-setup just succeeds.
    const script = [
      '#!/bin/sh',
      `echo "$*" >> '${this.log}'`,
      `if [ -f '${this.dir}/fail' ]; then echo "error: couldn't find the ModemManager process in the bus" >&2; exit 1; fi`,
      `reply="${this.replies}/$(echo "$*" | tr ' ' '_')"`,
      // A refused change: failures/<line> is what mmcli prints on stderr before exiting 1.
      `failure="${this.dir}/failures/$(echo "$*" | tr ' ' '_')"`,
      'if [ -f "$failure" ]; then cat "$failure" >&2; exit 1; fi',
      // A state change (--create-bearer, ...) may change what later reads print: effects/<line>/ holds those replies.
      `effect="${this.dir}/effects/$(echo "$*" | tr ' ' '_')"`,
      'if [ -f "$reply" ]; then cat "$reply"; if [ -d "$effect" ]; then cp "$effect"/* \'' + this.replies + "'/; fi; exit 0; fi",
      'case "$*" in',
      "  '-m '*' --signal-setup='*) echo 'successfully setup signal quality information' ;;",
      `  *) echo "error: fake mmcli has no reply for: $*" >&2; exit 1 ;;`,
      'esac',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(this.binDir, 'mmcli'), script, { mode: 0o755 });
  }

  private replyFile(args: string): string {
    return path.join(this.replies, args.replace(/ /g, '_'));
  }

  /** Sets what one argument line prints: JSON to serialise, or text as is. */
  reply(args: string, json: unknown): void {
    fs.writeFileSync(this.replyFile(args), typeof json === 'string' ? json : JSON.stringify(json));
  }

  /**
   * What ModemManager does on `args` (a state change): prints `output`, after which each line of
   * `then` prints its new reply (JSON or text).
   */
  onChange(args: string, output: string, then: Readonly<Record<string, unknown>> = {}): void {
    this.reply(args, output);
    if (Object.keys(then).length === 0) return;
    const dir = path.join(this.dir, 'effects', args.replace(/ /g, '_'));
    fs.mkdirSync(dir, { recursive: true });
    for (const [line, json] of Object.entries(then)) fs.writeFileSync(path.join(dir, line.replace(/ /g, '_')), typeof json === 'string' ? json : JSON.stringify(json));
  }

  /** `args` fails as ModemManager refusing it: `stderr` printed, exit 1. */
  refuse(args: string, stderr: string): void {
    const dir = path.join(this.dir, 'failures');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, args.replace(/ /g, '_')), stderr);
  }

  /** The current reply of an argument line, parsed. */
  fixture<T>(args: string): T {
    return JSON.parse(fs.readFileSync(this.replyFile(args), 'utf8')) as T;
  }

  /** Replies to an argument line with another recorded file. */
  useFixture(args: string, file: string): void {
    this.reply(args, fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  }

  setFailing(failing: boolean): void {
    const f = path.join(this.dir, 'fail');
    if (failing) fs.writeFileSync(f, '');
    else fs.rmSync(f, { force: true });
  }

  /** Argument lines mmcli was called with, in order. */
  calls(): string[] {
    return fs.existsSync(this.log) ? fs.readFileSync(this.log, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** Calls per argument line. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls()) out[c] = (out[c] ?? 0) + 1;
    return out;
  }

  cleanup(): void {
    removeStandInDir(this.dir);
  }
}

export interface MmFixture {
  mmcli: FakeMmcli;
  model: DataModel;
  advance(seconds: number): void;
  /** Reads the subtree at `path` (default the whole tree) as path → values. */
  read(path?: string): Promise<Map<string, Record<string, unknown>>>;
  cleanup(): void;
}

export function modemManager(opts: ModemManagerOptions = {}): MmFixture {
  const mmcli = new FakeMmcli();
  let now = 1_700_000_000_000;
  const model = new DataModel(schema);
  const platform = registerModemManagerPlatform(model, { commandPath: mmcli.binDir, now: () => now, ...opts });
  return {
    mmcli,
    model,
    advance: (seconds) => {
      now += seconds * 1000;
    },
    read: async (path = 'Device.') => {
      const out: ObjectValues[] = [];
      await readSubtree(model, { node: model.requireNode(path), keys: [] }, 0, {}, out);
      return new Map(out.map((o) => [o.path, o.values]));
    },
    cleanup: () => {
      platform.stop();
      mmcli.cleanup();
    },
  };
}
