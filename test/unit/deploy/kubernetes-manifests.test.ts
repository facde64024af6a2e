/**
 * deploy/kubernetes/: JSON manifests (kubectl takes JSON as it takes YAML) for an Indexed Job
 * that runs `usp-agent fleet` shards from the root Dockerfile's image, with the fleet defaults
 * from a ConfigMap. Checked here: they parse, they name the command the image holds, every
 * shard the Job starts gets a valid range, and the defaults are the example's but for the broker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFleetDefaults } from '../../../agent/fleet/gateway-defaults.js';
import { shardRange } from '../../../agent/fleet/shard.js';
import { REPO } from '../../peers/agent-process.js';

interface Container {
  image: string;
  command: string[];
  env?: { name: string; value: string }[];
  resources: { requests: { memory: string }; limits: { memory: string } };
  volumeMounts: { name: string; mountPath: string }[];
}
interface JobManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    template: { spec: { restartPolicy: string; containers: Container[]; volumes: { name: string; configMap?: { name: string } }[] } };
  };
}
interface ConfigMapManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data: Record<string, string>;
}

const read = <T>(file: string): T => JSON.parse(readFileSync(join(REPO, 'deploy/kubernetes', file), 'utf8')) as T;
const job = read<JobManifest>('fleet-job.json');
const configMap = read<ConfigMapManifest>('fleet-defaults-configmap.json');
const container = job.spec.template.spec.containers[0]!;
const option = (name: string): string | undefined => {
  const i = container.command.indexOf(name);
  return i >= 0 ? container.command[i + 1] : undefined;
};

describe('deploy/kubernetes', () => {
  it('is an Indexed Job whose pods each run one shard of `usp-agent fleet`, the index from JOB_COMPLETION_INDEX', () => {
    expect([job.apiVersion, job.kind, job.spec.completionMode]).toEqual(['batch/v1', 'Job', 'Indexed']);
    expect(container.command.slice(0, 3)).toEqual(['node', '/app/bin/usp-agent.js', 'fleet']);
    // Kubernetes sets JOB_COMPLETION_INDEX in each pod; --shard-index would give every pod the same shard.
    expect(option('--shard-index')).toBeUndefined();
    expect(Number(option('--shard-count'))).toBe(job.spec.completions);
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('runs the image the root Dockerfile builds, where /app/bin/usp-agent.js is', () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/src\/bin\/usp-agent\.js .* \.\/bin\/$/m);
    expect(container.image).toMatch(/^usp-agent(:|$)/);
  });

  it('gives every shard a contiguous range of at most 20,000 gateways, together the whole fleet', () => {
    const count = Number(option('--count'));
    const first = Number(option('--first') ?? 1);
    let next = first;
    for (let i = 0; i < job.spec.completions; i++) {
      const r = shardRange({ count, first, shardIndex: i, shardCount: Number(option('--shard-count')) });
      expect(r.first).toBe(next);
      expect(r.count).toBeLessThanOrEqual(20_000);
      next += r.count;
    }
    expect(next).toBe(first + count);
  });

  it("gives V8 a heap limit above a 20,000-gateway shard's ~4 GB and below the pod's memory limit", () => {
    const gib = (q: string): number => {
      const m = /^(\d+)Gi$/.exec(q);
      if (!m) throw new Error(`memory quantity ${q}: expected <n>Gi`);
      return Number(m[1]) * 1024;
    };
    const nodeOptions = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1]);
    // Node's default heap limit (~4 GB) is what a 20,000-gateway shard's RSS (README: 199 KiB per gateway) comes close to.
    expect(heapMiB).toBeGreaterThan(4096);
    expect(heapMiB).toBeLessThan(gib(container.resources.limits.memory));
    expect(gib(container.resources.requests.memory)).toBeGreaterThanOrEqual(heapMiB);
  });

  it("caps glibc's malloc arenas at two (MALLOC_ARENA_MAX): 5-7 MB less outside the V8 heap, measured at 1,000 gateways (README, Fleet mode)", () => {
    expect(container.env?.find((e) => e.name === 'MALLOC_ARENA_MAX')?.value).toBe('2');
  });

  it('mounts the ConfigMap where --defaults points, holding the example fleet defaults but for the broker address', () => {
    const defaultsPath = option('--defaults')!;
    const volume = job.spec.template.spec.volumes.find((v) => v.configMap?.name === configMap.metadata.name);
    expect(volume).toBeDefined();
    const mount = container.volumeMounts.find((m) => m.name === volume!.name)!;
    const key = defaultsPath.slice(mount.mountPath.length + 1);
    expect(join(mount.mountPath, key)).toBe(defaultsPath);
    const defaults = JSON.parse(configMap.data[key]!) as Record<string, string | number | boolean>;
    expect(() => checkFleetDefaults(defaults, key)).not.toThrow();
    const example = JSON.parse(readFileSync(join(REPO, 'examples/fleet-defaults.json'), 'utf8')) as Record<string, unknown>;
    expect({ ...defaults, 'Device.MQTT.Client.1.BrokerAddress': example['Device.MQTT.Client.1.BrokerAddress'] }).toEqual(example);
    expect(container.volumeMounts.map((m) => m.mountPath)).toContain(option('--data-dir'));
  });
});
