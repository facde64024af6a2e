/**
 * `fleet`: many simulated gateways in one process (agent/fleet/). Loaded only when it runs.
 */
import type { Argv } from 'yargs';
import type { LogLevel } from '../../../datamodel/Logger.js';
import { Agent, type PlatformName } from '../../Agent.js';

/** Adds `fleet`. */
export function fleetCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'fleet',
    'run N simulated gateways in this process, each a full agent (or one shard of a larger fleet)',
    (c) =>
      c
        .option('count', { type: 'number', demandOption: true, describe: 'gateways in the whole fleet' })
        .option('first', { type: 'number', default: 1, describe: 'number of the first gateway' })
        .option('defaults', { type: 'string', demandOption: true, describe: 'factory-defaults JSON; {n} in a string value becomes the gateway number (the EndpointID must hold it)' })
        .option('data-dir', { type: 'string', demandOption: true, describe: 'with --persist, gateway n keeps its state (and control socket) in DIR/<n>/' })
        .option('platform', { choices: ['simulated'], default: 'simulated', describe: 'data source (fleets are simulated)' })
        .option('seed', { type: 'number', default: 1, describe: "fleet seed; each gateway's device is seeded from it and its number" })
        .option('persist', { type: 'boolean', default: false, describe: 'keep state on disk under DIR/<n>/ (default: in memory)' })
        .option('ramp', { type: 'number', describe: 'gateway starts per second, with jitter (default: as fast as they start)' })
        .option('shard-index', { type: 'number', describe: 'this shard, from 0 (default: JOB_COMPLETION_INDEX when set)' })
        .option('shard-count', { type: 'number', describe: 'shards the fleet is split into' })
        .option('vendor-prefix', { type: 'string', describe: 'TR-106 vendor prefix for vendor parameters, e.g. X_EXAMPLE-COM_' })
        .option('cert', { type: 'string', implies: 'key', describe: 'PEM client certificate for TLS MTPs (MQTT over TLS, wss); {n} in the path: one per gateway, else one shared by all' })
        .option('key', { type: 'string', implies: 'cert', describe: 'PEM private key of --cert (unencrypted); holds {n} when --cert does' })
        .option('ca', { type: 'string', describe: 'PEM CA certificate(s) the broker or controller certificate must chain to (shared by every gateway)' })
        .option('memory-report', { type: 'boolean', default: false, describe: 'print the process memory split (RSS, V8 heap, external, malloc, rest) after the summary line and on every SIGUSR2' })
        .option('log-level', { choices: ['error', 'warn', 'info', 'debug'], default: 'warn', describe: 'per-gateway log lines carry gateway=<n>' })
        .example('$0 fleet --count 1000 --defaults examples/fleet-defaults.json --data-dir /tmp/fleet --ramp 200', '1,000 gateways over MQTT')
        .example('$0 fleet --count 1000 --defaults F --data-dir D --cert certs/sim-{n}.pem --key certs/sim-{n}.key --ca ca.pem', 'MQTT over TLS, a client certificate per gateway'),
    async (a) => {
      const { runFleet } = await import('../../fleet/fleet-command.js');
      await runFleet({
        count: a.count,
        first: a.first,
        defaults: a.defaults,
        dataDir: a['data-dir'],
        platform: a.platform as PlatformName,
        seed: a.seed,
        persist: a.persist,
        ramp: a.ramp,
        shardIndex: a['shard-index'],
        shardCount: a['shard-count'],
        logLevel: a['log-level'] as LogLevel,
        memoryReport: a['memory-report'],
        vendorPrefix: a['vendor-prefix'],
        tls: a.cert !== undefined || a.ca !== undefined ? { cert: a.cert, key: a.key, ca: a.ca } : undefined,
        // Agent.start handed in: agent/fleet/Fleet.ts says why it does not import the composition root.
        startAgent: (o) => Agent.start(o),
      });
    },
  );
}
