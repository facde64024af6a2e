/**
 * Serves Challenge:1 (TR-181): Device.LocalAgent.ControllerTrust.RequestChallenge() and
 * ChallengeResponse(), backed by a ChallengeService. The Challenge.{i} rows themselves are stored
 * configuration (register-local-agent).
 *
 * RequestExpiration: the Operate handler fills an omitted optional argument with its schema
 * default: 900 s, the default TR-181 states in prose (tools/gen-schema/overrides.ts); an explicit
 * 0 means the challenge never expires.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ChallengeService } from './ChallengeService.js';

const TRUST_PATH = 'Device.LocalAgent.ControllerTrust.';

export function registerChallenges(model: DataModel, opts: { now?: () => number } = {}): ChallengeService {
  const service = new ChallengeService(model, opts.now);
  model.registerCommand(TRUST_PATH, 'RequestChallenge()', {
    run: (call) => service.request(call.ctx, String(call.input.ChallengeRef ?? ''), Number(call.input.RequestExpiration ?? 900)),
  });
  model.registerCommand(TRUST_PATH, 'ChallengeResponse()', {
    run: async (call) => {
      await service.respond(call.ctx, String(call.input.ChallengeID ?? ''), String(call.input.Value ?? ''));
      return {};
    },
  });
  return service;
}
