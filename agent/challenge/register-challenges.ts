/**
 * Serves Challenge:1 (TR-181): Device.LocalAgent.ControllerTrust.RequestChallenge() and
 * ChallengeResponse(), backed by a ChallengeService. The Challenge.{i} rows themselves are stored
 * configuration (register-local-agent).
 *
 * RequestExpiration: the Operate handler fills an omitted optional argument with its schema
 * default: 900 s, the default TR-181 states in prose (tools/gen-schema/overrides.ts); an explicit
 * 0 means the challenge never expires.
 */
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { BoundCommand } from '../../datamodel/tree/bound-command.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ChallengeService } from './ChallengeService.js';

const TRUST_PATH = 'Device.LocalAgent.ControllerTrust.';

export function registerChallenges(model: DataModel, opts: { now?: () => number } = {}): ChallengeService {
  const service = new ChallengeService(model, opts.now);
  // The gateway's service beside functions the fleet shares (issue 14).
  model.registerCommand(TRUST_PATH, 'RequestChallenge()', new BoundCommand(service, requestChallenge));
  model.registerCommand(TRUST_PATH, 'ChallengeResponse()', new BoundCommand(service, challengeResponse));
  return service;
}

function requestChallenge(service: ChallengeService, call: CommandInvocation): Promise<Record<string, Value>> {
  return service.request(call.ctx, String(call.input.ChallengeRef ?? ''), Number(call.input.RequestExpiration ?? 900));
}

async function challengeResponse(service: ChallengeService, call: CommandInvocation): Promise<Record<string, Value>> {
  await service.respond(call.ctx, String(call.input.ChallengeID ?? ''), String(call.input.Value ?? ''));
  return {};
}
