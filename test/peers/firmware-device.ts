/**
 * A live-platform device for the firmware tests: the real agent process (`usp-agent run` from
 * dist/, so `npm run build` first) with `--platform linux --firmware-hook` or `--platform openwrt`,
 * whose device tools are the stand-ins in test/fixtures (they log their argv), a real WebSocket
 * controller with persistent subscriptions to Boot!, TransferComplete! and the FirmwareImage
 * OperationCompletes, and a loopback image server. `reboot()` is what procd/systemd do after
 * the agent exits for a restart; `kill9()` the power cut.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifyReq, StringMap } from '../../agent/codec/types.js';
import { AGENT_EID, CONTROLLER_EID } from './agent-fixture.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { AgentProcess, REPO, writeDefaultsFile } from './agent-process.js';
import { TestController, asResponse, freePort, notifications, waitForNotification } from './TestController.js';
import { startImageServer, type ImageServer, type Route } from '../unit/agent/firmware/image-server.js';

export const FW = 'Device.DeviceInfo.FirmwareImage.';
const PREFIX = 'X_TEST_';
/** Exit code of a live agent that asks its service manager for a restart (agent/cli/main.ts). */
const RESTART_EXIT = /restart requested; exiting/;

export class FirmwareDevice {
  proc!: AgentProcess;
  c!: TestController;
  readonly dataDir: string;
  readonly staging: string;
  /** The stand-ins' state and argv logs. */
  readonly standin: string;
  private readonly defaultsFile: string;
  private readonly url: string;

  private constructor(
    readonly dir: string,
    port: number,
    readonly kind: 'hook' | 'openwrt',
    defaults: DefaultsFile,
  ) {
    this.dataDir = join(dir, 'data');
    this.staging = join(dir, 'staging');
    this.standin = join(dir, 'standin');
    mkdirSync(this.standin);
    this.defaultsFile = join(dir, 'defaults.json');
    // Loopback image server: the live platforms refuse local URLs unless the operator allows them.
    writeDefaultsFile(this.defaultsFile, port, { [`Device.LocalAgent.${PREFIX}AllowLocalDownloads`]: true, ...defaults });
    this.url = `ws://127.0.0.1:${port}/usp`;
    if (kind === 'openwrt') copyFileSync(join(REPO, 'test/fixtures/openwrt/ubus-system-board.24.10.json'), join(this.standin, 'board.json'));
  }

  /** `defaults`: more factory defaults, beside the controller and the loopback downloads. */
  static async create(kind: 'hook' | 'openwrt', defaults: DefaultsFile = {}): Promise<FirmwareDevice> {
    return new FirmwareDevice(mkdtempSync(join(tmpdir(), `usp-agent-fw-${kind}-`)), await freePort(), kind, defaults);
  }

  /** Starts the agent process and connects the controller; the first start also subscribes. */
  async start(first = false): Promise<void> {
    const tools = join(REPO, 'test/fixtures/openwrt/standin-bin');
    const args = ['--vendor-prefix', PREFIX, '--firmware-staging', this.staging];
    if (this.kind === 'hook') args.push('--firmware-hook', join(REPO, 'test/fixtures/firmware/hook-standin.sh'));
    this.proc = AgentProcess.start(this.defaultsFile, this.dataDir, {
      platform: this.kind === 'hook' ? 'linux' : 'openwrt',
      args,
      env: { FW_STANDIN_DIR: this.standin, ...(this.kind === 'openwrt' ? { PATH: `${tools}:${process.env.PATH ?? ''}` } : {}) },
    });
    await this.proc.waitForLine(/msg="agent started"/, { timeoutMs: 15_000 });
    this.c = await TestController.connect(this.url, CONTROLLER_EID, AGENT_EID);
    this.c.ws.on('error', () => undefined);
    if (!first) return;
    for (const [ID, NotifType, ReferenceList] of [
      ['boot', 'Event', 'Device.Boot!'],
      ['tc', 'Event', 'Device.LocalAgent.TransferComplete!'],
      ['oc', 'OperationComplete', FW],
    ]) {
      const r = asResponse(
        await this.c.send({
          reqType: 'add',
          add: {
            allowPartial: false,
            createObjs: [
              {
                objPath: 'Device.LocalAgent.Subscription.',
                paramSettings: Object.entries({ Enable: 'true', Persistent: 'true', ID, NotifType, ReferenceList }).map(([param, value]) => ({ param, value, required: true })),
              },
            ],
          },
        }),
      );
      if (r.respType !== 'addResp' || r.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
    }
  }

  /** The agent exited for a restart (as after an activation): start it again, as the service manager would. */
  async reboot(): Promise<void> {
    await this.proc.exited;
    if (!this.proc.lines.some((l) => RESTART_EXIT.test(l.text))) throw new Error(`the agent exited without asking for a restart:\n${this.proc.text}`);
    await this.c.close();
    await this.start();
  }

  /** The power cut, then the next start. */
  async kill9AndStart(): Promise<void> {
    await this.proc.kill9();
    await this.c.close();
    await this.start();
  }

  async get(paths: string[]): Promise<Record<string, string>> {
    const r = asResponse(await this.c.send({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } }));
    if (r.respType !== 'getResp') throw new Error(r.respType);
    const out: Record<string, string> = {};
    for (const p of r.getResp.reqPathResults) {
      if (p.errCode) throw new Error(`${p.requestedPath}: ${p.errCode} ${p.errMsg ?? ''}`);
      for (const res of p.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
    }
    return out;
  }

  async bank(n: number): Promise<Record<string, string>> {
    const all = await this.get([`${FW}${n}.`]);
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.slice(`${FW}${n}.`.length), v]));
  }

  /**
   * Set with allow_partial true, one object per entry: ok, or the first failed object's error and
   * its parameter errors (by parameter name).
   */
  async set(objects: Record<string, Record<string, string>>): Promise<{ ok: true } | { ok: false; errCode: number; params: Record<string, number>; errMsg: string }> {
    const updateObjs = Object.entries(objects).map(([objPath, values]) => ({ objPath, paramSettings: Object.entries(values).map(([param, value]) => ({ param, value, required: true })) }));
    const r = asResponse(await this.c.send({ reqType: 'set', set: { allowPartial: true, updateObjs } }));
    if (r.respType !== 'setResp') throw new Error(r.respType);
    for (const o of r.setResp.updatedObjResults) {
      if (o.operStatus.operStatus !== 'operFailure') continue;
      const f = o.operStatus.operFailure;
      const errs = (f.updatedInstFailures ?? []).flatMap((i) => i.paramErrs ?? []);
      return { ok: false, errCode: f.errCode, params: Object.fromEntries(errs.map((e) => [e.param, e.errCode])), errMsg: [f.errMsg, ...errs.map((e) => e.errMsg)].filter(Boolean).join('; ') };
    }
    return { ok: true };
  }

  /** Operate with send_resp; throws unless the command was accepted (async: reqObjPath). */
  async operate(command: string, inputArgs: StringMap, commandKey: string): Promise<{ reqObjPath?: string; errCode?: number; errMsg?: string }> {
    const r = asResponse(await this.c.send({ reqType: 'operate', operate: { command, commandKey, sendResp: true, inputArgs } }));
    if (r.respType !== 'operateResp') throw new Error(r.respType);
    const res = r.operateResp.operationResults[0];
    if (res.operationResp === 'reqObjPath') return { reqObjPath: res.reqObjPath };
    if (res.operationResp === 'cmdFailure') return res.cmdFailure;
    return {};
  }

  async operComplete(key: string, timeoutMs = 10_000): Promise<{ ok: true } | { ok: false; errCode: number; errMsg?: string }> {
    const n = await waitForNotification(this.c, (ns) => ns.find((x) => x.notify.notification === 'operComplete' && x.notify.operComplete.commandKey === key)?.notify, timeoutMs);
    if (n.notification !== 'operComplete') throw new Error(n.notification);
    const oc = n.operComplete;
    return oc.operationResp === 'cmdFailure' ? { ok: false, ...oc.cmdFailure } : { ok: true };
  }

  async transferComplete(key: string, timeoutMs = 10_000): Promise<StringMap> {
    return eventParams(
      await waitForNotification(
        this.c,
        (ns) => ns.find((x) => x.notify.notification === 'event' && x.notify.event.eventName === 'TransferComplete!' && x.notify.event.params?.CommandKey === key)?.notify,
        timeoutMs,
      ),
    );
  }

  async bootEvent(timeoutMs = 10_000): Promise<StringMap> {
    return eventParams(await waitForNotification(this.c, (ns) => ns.find((x) => x.notify.notification === 'event' && x.notify.event.eventName === 'Boot!')?.notify, timeoutMs));
  }

  /** Lines the stand-in tool logged (its argv). */
  log(tool: 'argv' | 'sysupgrade' | 'fw_env'): string[] {
    try {
      return readFileSync(join(this.standin, `${tool}.log`), 'utf8')
        .split('\n')
        .filter(Boolean);
    } catch {
      return [];
    }
  }

  stagingFiles(): string[] {
    try {
      return readdirSync(this.staging).sort();
    } catch {
      return [];
    }
  }

  /** Waits (by polling the model, the only way a controller sees it) until `n`'s Status is `status`. */
  async waitForStatus(n: number, status: string, timeoutMs = 8000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.bank(n)).Status === status) return;
      if (Date.now() > end) throw new Error(`FirmwareImage.${n}.Status never became ${status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    await this.c?.close();
    if (this.proc?.alive) await this.proc.terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Notifications seen since the last start. */
  notifications(): ReturnType<typeof notifications> {
    return notifications(this.c);
  }
}

export function eventParams(n: NotifyReq): StringMap {
  if (n.notification !== 'event') throw new Error(n.notification);
  return n.event.params ?? {};
}

/** A live-firmware test's device and the image server it downloads from (startFirmwareDevice). */
export interface FirmwareRig {
  dev: FirmwareDevice;
  server: ImageServer;
}

/** Serves `routes` on a loopback image server and starts a first-boot device of `kind` (subscribed) with `defaults` added to its factory defaults. */
export async function startFirmwareDevice(kind: 'hook' | 'openwrt', routes: Record<string, Route>, defaults: DefaultsFile = {}): Promise<FirmwareRig> {
  const server = await startImageServer();
  for (const [path, route] of Object.entries(routes)) server.routes.set(path, route);
  const dev = await FirmwareDevice.create(kind, defaults);
  await dev.start(true);
  return { dev, server };
}

/** Stops what startFirmwareDevice started, and any agent process a test left running. */
export async function stopFirmwareDevice(rig: Partial<FirmwareRig>): Promise<void> {
  await rig.dev?.close();
  await rig.server?.close();
  await AgentProcess.killAll();
}
