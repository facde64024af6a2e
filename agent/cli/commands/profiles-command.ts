/**
 * `profiles`: which TR-181 profiles the agent meets (agent/cli/profiles.ts), asked of the agent
 * running on --data-dir or of one built offline for a platform. The implementation loads only
 * when the command runs.
 */
import type { Argv } from 'yargs';
import { Agent } from '../../Agent.js';
import { guarded } from './connection-options.js';

/** Adds `profiles`. */
export function profilesCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'profiles',
    'which TR-181 profiles the agent meets, and what the others miss (from its GetSupportedDM answer)',
    (c) =>
      c
        .option('data-dir', { type: 'string', describe: 'data directory of the running agent (its control socket is DIR/control.sock)' })
        .option('platform', { type: 'string', describe: 'with --offline: simulated, linux, openwrt or none' })
        .option('offline', { type: 'boolean', default: false, describe: 'build the agent for --platform in this process (no MTP, nothing kept) instead of asking a running one' })
        .option('json', { type: 'boolean', default: false, describe: 'every profile met and every item missed, as JSON' })
        .option('timeout', { type: 'number', default: 30, describe: "seconds to wait for the running agent's answer" })
        .example('$0 profiles --data-dir /var/lib/usp-agent', 'the profiles the running agent meets')
        .example('$0 profiles --platform openwrt --offline --json', 'what an OpenWrt build serves, as JSON'),
    (a) =>
      guarded(async () => {
        const { runProfiles } = await import('../profiles.js');
        // Agent.start handed in: offline-agent.ts says why it does not import the composition root.
        await runProfiles({ dataDir: a['data-dir'], platform: a.platform, offline: a.offline, json: a.json, timeout: a.timeout, startAgent: (o) => Agent.start(o) });
      }),
  );
}
