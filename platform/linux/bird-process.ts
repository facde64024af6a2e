/**
 * The BIRD 2 the agent owns on generic Linux for Device.Routing.RIP.: one configuration file in
 * the agent's data directory and one supervised child, `bird -f -c FILE -s SOCKET -P PIDFILE`
 * (supervision, atomic replacement and back-off: platform/exec/ConfiguredDaemon.ts). A new file
 * is first checked with `bird -p`, then bird is asked to re-read it (`birdc -s SOCKET
 * configure`) rather than restarted, so the routes it learnt stay in the kernel through a
 * change. A file bird refuses is put back to the old one, which bird keeps running.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { ConfiguredDaemon } from '../exec/ConfiguredDaemon.js';

/** Where Debian (package bird2) installs them. */
export const BIRD_BIN = '/usr/sbin/bird';

/** birdc's reply to a configuration it took (`Reconfigured`, or `Reconfiguration in progress` while protocols restart). */
const TAKEN = /^(Reconfigured|Reconfiguration (already )?in progress)/m;
/** birdc's lines that are no part of bird's answer. */
const CHATTER = /^(BIRD [0-9.]+ ready\.|Reading configuration from .*)$/;

/** bird's message in a birdc reply that is no success, undefined for a success. */
export function birdcRefusal(reply: string): string | undefined {
  if (TAKEN.test(reply)) return undefined;
  const lines = reply
    .split('\n')
    .map((l) => l.replace(/^[0-9]{4}[- ]/, '').trim())
    .filter((l) => l !== '' && !CHATTER.test(l));
  return lines.join(' ') || 'bird gave no reply';
}

export class BirdProcess extends ConfiguredDaemon {
  readonly socket: string;

  constructor(opts: { binary: string; confFile: string; pidFile: string; socket: string; log?: Logger }) {
    const birdc = join(dirname(opts.binary), 'birdc');
    super({
      name: 'bird',
      binary: opts.binary,
      confFile: opts.confFile,
      pidFile: opts.pidFile,
      args: ['-f', '-c', opts.confFile, '-s', opts.socket, '-P', opts.pidFile],
      checkArgs: (candidate) => ['-p', '-c', candidate],
      pidFileWrittenByDaemon: true,
      ready: /Started$/,
      offMessage: 'RIP is off or no interface runs it',
      reload: () => birdcConfigure(birdc, opts.socket),
      log: opts.log,
    });
    this.socket = opts.socket;
  }
}

/** `birdc -s SOCKET configure`: bird's refusal, undefined when it took the file; rejects when bird cannot be reached. */
export function birdcConfigure(birdc: string, socket: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(birdc, ['-s', socket, 'configure'], { encoding: 'utf8', timeout: 10_000 }, (e, stdout, stderr) => {
      const reply = `${stdout}\n${stderr}`;
      if (/Unable to connect|Connection refused|No such file/i.test(reply) || (e && stdout.trim() === '')) {
        reject(new Error(`birdc could not reach bird on ${socket}: ${reply.trim() || (e?.message ?? '')}`));
        return;
      }
      resolve(birdcRefusal(reply));
    });
  });
}

/** Whether the agent may run its bird: the binaries, and root (RIP's port 520 and the kernel's routes). */
export function birdUsable(binary = BIRD_BIN, uid = process.getuid?.() ?? -1): { usable: boolean; why?: string } {
  if (!existsSync(binary) || !existsSync(join(dirname(binary), 'birdc'))) return { usable: false, why: `${binary} is not installed (Debian package bird2)` };
  if (uid !== 0) return { usable: false, why: 'the agent does not run as root (bird needs port 520 and writes the kernel routing table)' };
  return { usable: true };
}
