/**
 * What every message handler gets: the data model seam, who is asking, and the agent services
 * some messages need. Handlers never see an MTP or a binding's data source.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { OperationRunner } from '../operate/OperationRunner.js';

export interface HandlerContext {
  model: DataModel;
  req: RequestContext;
  log: Logger;
  operations: OperationRunner;
}
