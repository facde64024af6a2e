/** GetSupportedProtocol (TR-369 R-GSP; TP-469 1.80): the USP versions this agent speaks. */
import type { GetSupportedProtocolReq, GetSupportedProtocolResp } from '../codec/types.js';

export const AGENT_SUPPORTED_PROTOCOL_VERSIONS = '1.3,1.4';

export function handleGetSupportedProtocol(_req: GetSupportedProtocolReq): GetSupportedProtocolResp {
  return { agentSupportedProtocolVersions: AGENT_SUPPORTED_PROTOCOL_VERSIONS };
}
