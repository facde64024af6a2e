// Example plugin (INTEGRATING.md, "Adding a platform"): a `--platform board` for a board whose
// identity is written at the factory into a key=value file (a common "board info" partition),
// not into DMI or a device tree. The plugin brings the platform as a registry entry, the same
// type the built-in platforms are; `--platform board` chooses it, and `--platform auto` does when
// the file exists. Load it with
//
//   usp-agent run --defaults ... --plugin examples/plugins/board-platform.mjs --platform board
//
// BOARD_INFO_FILE (default /etc/board-info) names the file, e.g.
//   manufacturer=Example Networks
//   oui=00C0FF
//   model=EX-5G-100
//   serial=EXN0001234
//   hardware=rev B
//   software=1.4.2
import { existsSync, readFileSync } from 'node:fs';
import { uptime } from 'node:os';

/** @typedef {import('usp-agent/plugin').PlatformEntry} PlatformEntry */

const file = () => process.env.BOARD_INFO_FILE ?? '/etc/board-info';

/**
 * The board file's keys; read once, at start (the factory data does not change while running).
 * @param {string} path
 * @returns {Record<string, string>}
 */
function readBoardInfo(path) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !line.startsWith('#')) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** @type {PlatformEntry} */
const board = {
  name: 'board',
  detect: () => existsSync(file()),
  async start(model, opts) {
    const info = readBoardInfo(file());
    const fixed = {
      Manufacturer: info.manufacturer ?? '',
      ManufacturerOUI: info.oui ?? '',
      ModelName: info.model ?? '',
      ProductClass: info.model ?? '',
      SerialNumber: info.serial ?? '',
      HardwareVersion: info.hardware ?? '',
      SoftwareVersion: info.software ?? '',
    };
    model.register('Device.DeviceInfo.', {
      params: [...Object.keys(fixed), 'UpTime'],
      get: () => ({ ...fixed, UpTime: Math.floor(uptime()) }),
    });
    opts.log.info('board platform ready', { file: file(), model: fixed.ModelName });
    // Nothing runs in the background; a platform with timers or child processes stops them here.
    return { stop: () => undefined };
  },
};

export default { name: 'board-platform', platforms: [board] };
