/**
 * Device.CaptivePortal. on generic Linux (TR-181 CaptivePortal:1): Enable, AllowedList and URL
 * kept in the agent's store and put into effect at the commit of the Set and at start.
 *
 * - Enable true with a URL: the agent's redirect responder listens (redirect-responder.ts) and
 *   its nftables table (captive-portal-nft.ts) sends LAN-side HTTP (TCP 80) for anywhere but
 *   the router and the AllowedList to it; every request is answered 302 to the URL.
 * - Enable false, or URL "" (Status Error_URLEmpty): the table goes and the responder closes.
 * - Status Error: the table or the responder could not be put in place (logged); the next
 *   change or start tries again.
 * - AllowedList host names are resolved with the device's own resolver (getaddrinfo: /etc/hosts,
 *   then DNS) at each write, and again every NAME_REFRESH_MS while the table is in place: the
 *   addresses it gives are let through. A name that does not resolve lets nothing through until
 *   it does (logged). A LAN host's resolver may answer other addresses (a CDN): those are
 *   redirected.
 * - WAN (not redirected) = the devices with a default route, read at each write; while the
 *   table is in place an `ip -o monitor route` watcher writes it again when a default route
 *   comes or goes (as the firewall does).
 * - The table goes when the agent stops: without the agent its responder is gone, and a LAN
 *   host's HTTP would meet a closed port instead of reaching the Internet. Never configured:
 *   netfilter is left alone.
 */
import { lookup } from 'node:dns/promises';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { addressPrefix, type AllowedPrefix, allowedPrefixes, CAPTIVE_PORTAL, captiveStatus, settingProblems } from '../captive-portal/captive-portal-settings.js';
import { RedirectResponder } from '../captive-portal/redirect-responder.js';
import { CommitApplier } from '../commit-applier.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { LineProcess } from '../exec/LineProcess.js';
import { invalid } from '../stored-table.js';
import { captiveScript, DEFAULT_CAPTIVE_TABLE, type CaptivePlan } from './captive-portal-nft.js';
import type { HostFiles } from './HostFiles.js';
import { isNftDevice } from './nat-rules.js';
import { effectiveCapabilities } from './packet-classes.js';
import { defaultRouteInterfaces } from './proc-parsers.js';
import { nftUsable } from './nft-usable.js';

export interface LinuxCaptivePortalOptions {
  model: DataModel;
  store: DataStore;
  runner: CommandRunner;
  files: HostFiles;
  /** The agent's nftables table (default usp_agent_captive). */
  table?: string;
  /** The addresses of a host name (default: getaddrinfo, at most NAME_LOOKUP_MS). */
  resolve?: (name: string) => Promise<string[]>;
  log?: Logger;
}

/** How often the AllowedList host names are resolved again while the table is in place. */
export const NAME_REFRESH_MS = 5 * 60_000;
const NAME_LOOKUP_MS = 5000;

/** The addresses getaddrinfo gives for `name`, or none after NAME_LOOKUP_MS. */
async function resolveName(name: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${NAME_LOOKUP_MS} ms`)), NAME_LOOKUP_MS);
  });
  try {
    return (await Promise.race([lookup(name, { all: true }), late])).map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the agent may keep its captive portal table: `nft` installed and CAP_NET_ADMIN held. */
export function captivePortalUsable(nftPath: string | undefined, capEffHex = effectiveCapabilities()): { usable: boolean; why?: string } {
  return nftUsable(nftPath, capEffHex);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class LinuxCaptivePortal {
  readonly table: string;
  private readonly responder = new RedirectResponder('');
  private applying: Promise<void> = Promise.resolve();
  /** The script last written (undefined: nothing written by this run). */
  private written?: string;
  private failed = false;
  private stopped = false;
  private routes?: LineProcess;
  private refresh?: NodeJS.Timeout;

  constructor(private readonly opts: LinuxCaptivePortalOptions) {
    this.table = opts.table ?? DEFAULT_CAPTIVE_TABLE;
  }

  register(): void {
    const { model, store } = this.opts;
    const { changed } = new CommitApplier(model, () => this.apply(), this.opts.log, 'captive portal');
    registerStored(model, store, CAPTIVE_PORTAL, {
      params: ['Enable', 'Status', 'AllowedList', 'URL'],
      live: { Status: () => this.status() },
      validate: (_keys, changes) => {
        const bad = settingProblems(changes);
        if (bad.length > 0) throw invalid(bad);
      },
      onChange: changed,
    });
  }

  /** Once the store is loaded: puts a stored setting into effect (a reboot empties netfilter). */
  start(): Promise<void> {
    if (this.opts.store.row(CAPTIVE_PORTAL) === undefined) return Promise.resolve();
    return this.apply(true);
  }

  /** Closes the responder and removes the table. */
  stop(): void {
    this.stopped = true;
    this.watchRoutes(false);
    this.refreshNames(false);
    this.responder.stop();
    if (this.written === undefined) return;
    this.written = undefined;
    this.opts.runner
      .run('nft', ['-f', '-'], { input: captiveScript(this.table, undefined), display: `nft -f - (table inet ${this.table} removed)` })
      .catch((e: unknown) => this.opts.log?.warn('captive portal table not removed', { table: `inet ${this.table}`, why: message(e) }));
  }

  private setting(): { enable: boolean; url: string; allowed: string } {
    const row = this.opts.store.row(CAPTIVE_PORTAL) ?? {};
    return { enable: row.Enable === true, url: typeof row.URL === 'string' ? row.URL : '', allowed: typeof row.AllowedList === 'string' ? row.AllowedList : '' };
  }

  private status(): string {
    const s = this.setting();
    return captiveStatus(s.enable, s.url, this.failed);
  }

  /** Puts the stored setting into effect, after the writes before it; `force` writes even what this run wrote already. */
  private apply(force = false): Promise<void> {
    this.applying = this.applying
      .catch(() => undefined)
      .then(async () => {
        if (this.stopped) return;
        try {
          await this.write(force);
          this.failed = false;
        } catch (e) {
          this.failed = true;
          throw e;
        }
      });
    return this.applying;
  }

  private async write(force: boolean): Promise<void> {
    const s = this.setting();
    const on = s.enable && s.url !== '';
    let plan: CaptivePlan | undefined;
    if (on) {
      this.responder.url = s.url;
      const port = await this.responder.start();
      const { prefixes, names } = allowedPrefixes(s.allowed);
      plan = { port, wan: await this.wan(), allowed: uniquePrefixes([...prefixes, ...(await this.resolved(names))]) };
      this.refreshNames(names.length > 0);
    }
    const script = captiveScript(this.table, plan);
    // Unchanged, or off and never written by this run (netfilter left alone; at start, `force`
    // removes what a killed run left behind).
    if (!force && (script === this.written || (!plan && this.written === undefined))) {
      if (!plan) this.responder.stop();
      return;
    }
    await this.opts.runner.run('nft', ['-f', '-'], { input: script, display: `nft -f - (table inet ${this.table})` });
    this.written = plan ? script : undefined;
    if (!plan) this.responder.stop();
    this.watchRoutes(plan !== undefined);
    if (!plan) this.refreshNames(false);
    this.opts.log?.info(plan ? 'captive portal redirecting' : 'captive portal off', {
      table: `inet ${this.table}`,
      ...(plan ? { port: plan.port, wan: plan.wan.join(','), allowed: plan.allowed.length, url: s.url } : {}),
    });
  }

  /** Runs `ip -o monitor route` while the table is in place: a default route that comes or goes moves the WAN. */
  private watchRoutes(on: boolean): void {
    if (!on || this.stopped) {
      this.routes?.stop();
      this.routes = undefined;
      return;
    }
    if (this.routes) return;
    const again = (): void => void this.apply().catch((e: unknown) => this.opts.log?.warn('captive portal not rewritten after a route change', { why: message(e) }));
    this.routes = new LineProcess({
      runner: this.opts.runner,
      cmd: 'ip',
      args: ['-o', 'monitor', 'route'],
      log: this.opts.log,
      onLine: (line) => {
        if (/^(Deleted )?default /.test(line)) again();
      },
      // Changes missed while no watcher ran: look again.
      onStart: again,
    });
    this.routes.start();
  }

  /** The addresses of the AllowedList host names, each as a one-address prefix. */
  private async resolved(names: readonly string[]): Promise<AllowedPrefix[]> {
    const resolve = this.opts.resolve ?? resolveName;
    const lists = await Promise.all(
      names.map((n) =>
        resolve(n).catch((e: unknown) => {
          this.opts.log?.warn('captive portal: an AllowedList host name did not resolve; nothing is let through for it until it does', { name: n, why: message(e) });
          return [];
        }),
      ),
    );
    // Sorted: the resolver's order changes from one answer to the next, the rules need not.
    return [...new Set(lists.flat())].sort().flatMap((a) => addressPrefix(a) ?? []);
  }

  /** Resolves the host names again every NAME_REFRESH_MS while on (the rules are rewritten only when their addresses changed). */
  private refreshNames(on: boolean): void {
    if (!on || this.stopped) {
      clearInterval(this.refresh);
      this.refresh = undefined;
      return;
    }
    if (this.refresh) return;
    this.refresh = setInterval(() => void this.apply().catch((e: unknown) => this.opts.log?.warn('captive portal not rewritten after resolving its host names', { why: message(e) })), NAME_REFRESH_MS);
    this.refresh.unref();
  }

  private async wan(): Promise<string[]> {
    const { files } = this.opts;
    const [route, route6] = await Promise.all([files.read(files.proc('net', 'route')), files.read(files.proc('net', 'ipv6_route'))]);
    return [...defaultRouteInterfaces(route, route6)].filter(isNftDevice).sort();
  }
}

/** Registers Device.CaptivePortal. where nft runs with CAP_NET_ADMIN; its setting is applied once the store is loaded (`loaded`) and removed at `stops`. */
export function registerLinuxCaptivePortal(
  o: { model: DataModel; runner: CommandRunner; files: HostFiles; log?: Logger },
  store: DataStore,
  nftPath: string | undefined,
  loaded: Array<() => Promise<void>>,
  stops: Array<() => void>,
): void {
  const usable = captivePortalUsable(nftPath);
  if (!usable.usable) {
    o.log?.info('Device.CaptivePortal. not served', { why: usable.why });
    return;
  }
  const c = new LinuxCaptivePortal({ model: o.model, store, runner: o.runner, files: o.files, log: o.log });
  c.register();
  loaded.push(() => c.start().catch((e: unknown) => o.log?.warn('captive portal not applied at start; the next change tries again', { why: message(e) })));
  stops.push(() => c.stop());
}

/** Each network once (a resolved address may repeat a listed one). */
function uniquePrefixes(all: readonly AllowedPrefix[]): AllowedPrefix[] {
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = `${p.address}/${p.length}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
