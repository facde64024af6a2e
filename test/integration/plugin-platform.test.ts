/**
 * A platform a plugin brings, as an integrator meets it: the built agent process (`npm run build`
 * first) started with `--plugin examples/plugins/board-platform.mjs --platform board` serves the
 * board file's identity to a controller over WebSocket; `--platform auto` picks it when its
 * detector answers; a plugin platform named like a built-in one, and a `--platform` no plugin
 * brings, stop the start (exit 2) with one line naming the fix.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { getObjects } from '../peers/get-objects.js';
import { TestController, freePort } from '../peers/TestController.js';

/** agent/cli/main.ts EXIT_START_FAILED (not imported: main.ts pulls in the whole agent). */
const EXIT_START_FAILED = 2;
const PLUGIN = 'examples/plugins/board-platform.mjs';
const dir = mkdtempSync(join(tmpdir(), 'usp-agent-plugin-platform-'));
const boardFile = join(dir, 'board-info');
writeFileSync(boardFile, '# factory data\nmanufacturer=Example Networks\noui=00C0FF\nmodel=EX-5G-100\nserial=EXN0001234\nhardware=rev B\nsoftware=1.4.2\n');
const controllers: TestController[] = [];

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(name: string, platform: string, args: string[]): Promise<{ agent: AgentProcess; c: TestController }> {
  const port = await freePort();
  const defaults = join(dir, `${name}.json`);
  writeDefaultsFile(defaults, port);
  const agent = AgentProcess.start(defaults, join(dir, `${name}-data`), { platform, args, env: { BOARD_INFO_FILE: boardFile } });
  await agent.waitForLine(/websocket server listening/);
  const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
  controllers.push(c);
  return { agent, c };
}

async function refused(name: string, platform: string, args: string[]): Promise<string> {
  const defaults = join(dir, `${name}.json`);
  writeDefaultsFile(defaults, await freePort());
  const agent = AgentProcess.start(defaults, join(dir, `${name}-data`), { platform, args, env: { BOARD_INFO_FILE: boardFile } });
  expect(await agent.exit()).toBe(EXIT_START_FAILED);
  return agent.stderr();
}

describe('a platform brought by a plugin', () => {
  it('--platform board serves the board file through the plugin platform', async () => {
    const { agent, c } = await start('board', 'board', ['--plugin', PLUGIN]);
    const info = (await getObjects(c, ['Device.DeviceInfo.Manufacturer', 'Device.DeviceInfo.ModelName', 'Device.DeviceInfo.SerialNumber', 'Device.DeviceInfo.SoftwareVersion']))['Device.DeviceInfo.'];
    expect(info).toEqual({ Manufacturer: 'Example Networks', ModelName: 'EX-5G-100', SerialNumber: 'EXN0001234', SoftwareVersion: '1.4.2' });
    expect(agent.count(/board platform ready/)).toBe(1);
    // The platform's own Linux objects are not there: this is the plugin's platform, not linux's.
    const ip = await c.send({ reqType: 'get', get: { paramPaths: ['Device.IP.Interface.'], maxDepth: 0 } });
    expect(ip.body.msgBody === 'response' && ip.body.response.respType === 'getResp' ? ip.body.response.getResp.reqPathResults[0].errCode : 0).not.toBe(0);
  });

  it('--platform auto asks the plugin platform its detector after the built-in ones', async () => {
    const { agent, c } = await start('auto', 'auto', ['--plugin', PLUGIN]);
    await agent.waitForLine(/platform detected.*platform=.?board/);
    expect((await getObjects(c, ['Device.DeviceInfo.Manufacturer']))['Device.DeviceInfo.'].Manufacturer).toBe('Example Networks');
  });

  it('a plugin platform named like a built-in one stops the start, naming the plugin', async () => {
    const file = join(dir, 'clash.mjs');
    writeFileSync(file, "export default { name: 'clash', platforms: [{ name: 'linux', start: async () => ({}) }] };\n");
    const err = await refused('clash', 'simulated', ['--plugin', file]);
    expect(err).toContain(`--plugin ${file}: platform linux clashes with a built-in platform; give the plugin's platform another name`);
  });

  it('a --platform no built-in and no plugin brings stops the start, naming the choices', async () => {
    const err = await refused('unknown', 'board', []);
    expect(err).toContain('--platform board: no such platform; give one of auto, simulated, openwrt, linux, none, or load the --plugin that brings it');
  });

  it('a malformed platform entry stops the start, naming the plugin', async () => {
    const file = join(dir, 'malformed.mjs');
    writeFileSync(file, "export default { name: 'bad', platforms: [{ name: 'Bad Name' }] };\n");
    const err = await refused('malformed', 'simulated', ['--plugin', file]);
    // The log line is one JSON string: the quotes around the name are escaped.
    expect(err).toContain(`--plugin ${file}: platform entry \\"Bad Name\\" is malformed`);
  });
});
