/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `run.js --agent-cpu-prof DIR`): self
 * time by area (node internals, each npm package, each of our files, GC, idle) and the top
 * functions, so a bench regression can be traced to where the time goes.
 *
 *   node dist/bench/cpu-profile-summary.js FILE.cpuprofile [--top 25] [--until-ms N]
 *
 * --until-ms keeps only the first N ms of the profile (start-up: until the port listens).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The area a frame belongs to: an npm package, one of our dist files, a node internal, or a V8 pseudo-frame. */
function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const ours = /\/dist\/(.+)\.js$/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 3).join('/')}`;
  return url;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (!file) {
    process.stderr.write('usage: cpu-profile-summary FILE.cpuprofile [--top N] [--until-ms N]\n');
    process.exit(2);
  }
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const top = opt('--top', 25);
  const untilUs = opt('--until-ms', Infinity) * 1000;

  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t > untilUs) break;
    const dt = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${area}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ ms: Math.round(us / 100) / 10, pct: Math.round((us / total) * 1000) / 10, what: k }));
  process.stdout.write(`${JSON.stringify({ file, totalMs: Math.round(total / 1000), byArea: rows(areas), topFunctions: rows(fns) }, null, 1)}\n`);
}

main();
