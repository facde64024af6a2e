/**
 * `usp-agent profiles`: which TR-181 profiles the agent meets, judged from its GetSupportedDM
 * answer for Device. (agent/profiles/). Against the agent running on --data-dir, through its
 * control socket as the local controller; or, with --platform P --offline, against the agent
 * built in this process for that platform (no MTP, state thrown away). Exit codes as the other
 * commands (cli-error.ts): 0 report printed, 1 the agent answered with a USP error (or, offline,
 * could not be built on this machine), 2 usage, 3 no agent answering.
 */
import type { BuiltinPlatformName as PlatformName } from '../platforms.js';
import type { StartAgent } from '../profiles/offline-agent.js';
import { checkProfiles, servedModel, type ProfileReport } from '../profiles/check-profiles.js';
import { reportJson, reportText, type ReportSource } from '../profiles/format-report.js';
import { loadProfiles } from '../profiles/profiles-file.js';
import { PROFILES_GSDM_REQUEST } from '../profiles/served-by-agent.js';
import type { SupportedObjectResult } from '../codec/types.js';
import { CliError, EXIT_OK, EXIT_USAGE, EXIT_USP_ERROR } from './cli-error.js';
import { ControlClient } from './control-client.js';

/** The `profiles` command's options. */
export interface ProfilesArgs {
  dataDir?: string;
  platform?: string;
  offline: boolean;
  json: boolean;
  timeout: number;
  /** Agent.start, for --offline (agent/profiles/offline-agent.ts says why it is handed in). */
  startAgent: StartAgent;
}

const OFFLINE_PLATFORMS = ['simulated', 'linux', 'openwrt', 'none'] as const;
type OfflinePlatform = (typeof OFFLINE_PLATFORMS)[number];

/** Which of the two ways was asked for, or a usage error saying how to ask. */
function mode(a: ProfilesArgs): { kind: 'agent'; dataDir: string } | { kind: 'offline'; platform: OfflinePlatform } {
  if (a.offline) {
    if (a.dataDir !== undefined) throw new CliError(EXIT_USAGE, '--offline builds the agent here; leave out --data-dir (or leave out --offline to ask the running agent)');
    if (a.platform === undefined) throw new CliError(EXIT_USAGE, `--offline needs --platform (${OFFLINE_PLATFORMS.join(', ')})`);
    if (!(OFFLINE_PLATFORMS as readonly string[]).includes(a.platform)) throw new CliError(EXIT_USAGE, `--platform ${a.platform}: give one of ${OFFLINE_PLATFORMS.join(', ')}`);
    return { kind: 'offline', platform: a.platform as OfflinePlatform };
  }
  if (a.platform !== undefined) throw new CliError(EXIT_USAGE, '--platform is for --offline (the running agent already has its platform); add --offline, or give --data-dir only');
  if (a.dataDir === undefined) throw new CliError(EXIT_USAGE, 'give --data-dir DIR (the running agent) or --platform P --offline');
  return { kind: 'agent', dataDir: a.dataDir };
}

/** GetSupportedDM Device. from the agent on `dataDir`; a USP error is CliError(EXIT_USP_ERROR). */
async function askAgent(dataDir: string, timeoutSec: number): Promise<SupportedObjectResult[]> {
  const client = await ControlClient.connect(dataDir);
  try {
    const answer = await client.request({ reqType: 'getSupportedDm', getSupportedDm: PROFILES_GSDM_REQUEST }, timeoutSec * 1000);
    if (answer.kind === 'error') throw new CliError(EXIT_USP_ERROR, `the agent answered ${answer.error.errCode} ${answer.error.errMsg}`);
    const body = answer.response;
    if (body.respType !== 'getSupportedDmResp') throw new CliError(EXIT_USP_ERROR, `the agent answered with ${body.respType}, not a GetSupportedDMResp`);
    const r = body.getSupportedDmResp.reqObjResults[0];
    if (r === undefined || r.errCode !== 0) throw new CliError(EXIT_USP_ERROR, `GetSupportedDM Device. failed: ${r?.errCode ?? '?'} ${r?.errMsg ?? 'no result'}`);
    return r.supportedObjs ?? [];
  } finally {
    client.close();
  }
}

/** The report and where its model came from, without printing. */
export async function profileReport(a: ProfilesArgs): Promise<{ report: ProfileReport; source: ReportSource }> {
  const m = mode(a);
  let served: SupportedObjectResult[];
  let source: ReportSource;
  if (m.kind === 'agent') {
    served = await askAgent(m.dataDir, a.timeout);
    source = { kind: 'agent', dataDir: m.dataDir };
  } else {
    const { offlineModel } = await import('../profiles/offline-agent.js');
    const built = await offlineModel(m.platform as Exclude<PlatformName, 'auto'>, a.startAgent).catch((e: unknown) => {
      throw new CliError(EXIT_USP_ERROR, `--platform ${m.platform} --offline: the agent could not be built here (${e instanceof Error ? e.message : String(e)})`);
    });
    served = built.served;
    source = { kind: 'offline', platform: m.platform, liveSources: built.liveSources };
  }
  let file: ReturnType<typeof loadProfiles>;
  try {
    file = loadProfiles();
  } catch (e) {
    throw new CliError(EXIT_USP_ERROR, e instanceof Error ? e.message : String(e));
  }
  return { report: checkProfiles(file.model, file.profiles, servedModel(served)), source };
}

/** Prints the report (text, or JSON with --json) and sets exit code 0; failures are CliErrors with their code. */
export async function runProfiles(a: ProfilesArgs): Promise<void> {
  const { report, source } = await profileReport(a);
  process.stdout.write(a.json ? `${JSON.stringify(reportJson(report, source), null, 2)}\n` : reportText(report, source));
  process.exitCode = EXIT_OK;
}
