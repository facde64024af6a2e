/**
 * A real Mosquitto broker for integration tests: Debian's /usr/sbin/mosquitto on a free loopback
 * port with a generated configuration (anonymous access, or a password file), no persistence,
 * and optionally a second, TLS listener (`tls`) on its own free port.
 * `restart()` kills it (SIGKILL, as a crash) and starts it again on the same port; the process is
 * killed when the test process exits, whatever happens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './TestController.js';

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const PASSWD_BIN = '/usr/bin/mosquitto_passwd';
const READY_TIMEOUT_MS = 5000;

export interface MosquittoOptions {
  /** user → password; when given, anonymous access is refused. */
  users?: Record<string, string>;
  /** Extra mosquitto.conf lines. */
  extraConfig?: string[];
  /** Adds a TLS listener (TLS 1.2 minimum) on another free loopback port, next to the plain one. */
  tls?: MosquittoTlsListener;
}

/** Mosquitto's per-listener TLS settings (mosquitto.conf(5)); files are PEM paths. */
export interface MosquittoTlsListener {
  /** CA that client certificates must chain to (`cafile`). */
  cafile: string;
  /** The broker's certificate and key (`certfile`, `keyfile`). */
  certfile: string;
  keyfile: string;
  /** `require_certificate`: refuse clients without a certificate that chains to `cafile`; default true. */
  requireCertificate?: boolean;
  /** `use_identity_as_username`: the client certificate's CN becomes its username. */
  useIdentityAsUsername?: boolean;
}

export interface Mosquitto {
  readonly port: number;
  /** The TLS listener's port, when started with `tls`. */
  readonly tlsPort?: number;
  /** Broker output (stderr/stdout), for failure messages. */
  readonly output: string[];
  /** Kills the broker as a crash would, then starts it again on the same port and waits until it accepts. */
  restart(opts?: { downMs?: number }): Promise<void>;
  /** Kills the broker and removes its files. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a broker that takes packets into its socket buffers but answers none until resumed. */
  pause(): void;
  resume(): void;
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'usp-mosquitto-'));
  const conf = [
    `listener ${port} 127.0.0.1`,
    // Without it every small PUBLISH waits ~40 ms on Nagle + delayed ACK.
    'set_tcp_nodelay true',
    'persistence false',
    // Run as root (CI containers) without switching to the "mosquitto" user, who cannot read this dir.
    'user root',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
  ];
  if (opts.users) {
    const file = join(dir, 'passwd');
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(opts.users)) {
      const r = spawnSync(PASSWD_BIN, ['-b', file, user, password], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr || r.error?.message}`);
    }
    conf.push('allow_anonymous false', `password_file ${file}`);
  } else {
    conf.push('allow_anonymous true');
  }
  conf.push(...(opts.extraConfig ?? []));
  const tlsPort = opts.tls ? await freePort() : undefined;
  if (opts.tls) {
    // Listener options follow their `listener` line, so this block comes last.
    conf.push(
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${opts.tls.cafile}`,
      `certfile ${opts.tls.certfile}`,
      `keyfile ${opts.tls.keyfile}`,
      'tls_version tlsv1.2',
      `require_certificate ${opts.tls.requireCertificate !== false}`,
      `use_identity_as_username ${opts.tls.useIdentityAsUsername === true}`,
    );
  }
  const confFile = join(dir, 'mosquitto.conf');
  writeFileSync(confFile, `${conf.join('\n')}\n`);

  const output: string[] = [];
  let child: ChildProcess | undefined;
  const killNow = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killNow);

  const launch = async (): Promise<void> => {
    const proc = spawn(MOSQUITTO_BIN, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    for (const s of [proc.stdout!, proc.stderr!]) s.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
    await waitAccepting(port, proc, output);
    if (tlsPort !== undefined) await waitAccepting(tlsPort, proc, output);
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGKILL');
    await exited;
  };

  await launch();
  return {
    port,
    tlsPort,
    output,
    async restart({ downMs = 0 } = {}) {
      await kill();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async stop() {
      await kill();
      process.off('exit', killNow);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until a TCP connection to the port succeeds; fails fast if the broker exits. */
async function waitAccepting(port: number, proc: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`mosquitto exited (${proc.exitCode ?? proc.signalCode}):\n${output.join('\n')}`);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not accept connections on ${port} within ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
