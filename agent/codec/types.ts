/**
 * Plain-object shapes of the USP Msg (TR-369 §"Messages", usp-msg.proto), as decodeMsg returns them
 * and encodeMsg accepts them.
 *
 * Conventions, chosen so handler code reads like the spec and narrows with `switch`:
 * - field names are the proto names in camelCase (protobufjs' default);
 * - enums are their proto names as strings ('GET_RESP', 'OBJ_READ_ONLY');
 * - every oneof is a discriminated union: a discriminant property named after the oneof in camelCase
 *   holds the member name, and only that member is present (protobufjs `oneofs: true`);
 * - maps are plain objects of strings.
 * Decoded messages carry every field (absent ones as proto defaults). Bodies the agent builds
 * (responses, Notify, Error) mark as optional the fields whose default is a sensible value, so
 * handlers write only what they mean. Names end in Req/Resp to avoid clashing with JS's Set/Error.
 */

export type StringMap = Record<string, string>;

export type MsgType =
  | 'ERROR'
  | 'GET'
  | 'GET_RESP'
  | 'NOTIFY'
  | 'SET'
  | 'SET_RESP'
  | 'OPERATE'
  | 'OPERATE_RESP'
  | 'ADD'
  | 'ADD_RESP'
  | 'DELETE'
  | 'DELETE_RESP'
  | 'GET_SUPPORTED_DM'
  | 'GET_SUPPORTED_DM_RESP'
  | 'GET_INSTANCES'
  | 'GET_INSTANCES_RESP'
  | 'NOTIFY_RESP'
  | 'GET_SUPPORTED_PROTO'
  | 'GET_SUPPORTED_PROTO_RESP'
  | 'REGISTER'
  | 'REGISTER_RESP'
  | 'DEREGISTER'
  | 'DEREGISTER_RESP';

export interface Header {
  msgId: string;
  /** Informational only (R-MSG.10): the body member decides what the message is. */
  msgType: MsgType;
}

export interface UspMsg {
  header: Header;
  body: Body;
}

export type Body = { msgBody: 'request'; request: Request } | { msgBody: 'response'; response: Response } | { msgBody: 'error'; error: ErrorBody };

export type Request =
  | { reqType: 'get'; get: GetReq }
  | { reqType: 'getSupportedDm'; getSupportedDm: GetSupportedDMReq }
  | { reqType: 'getInstances'; getInstances: GetInstancesReq }
  | { reqType: 'set'; set: SetReq }
  | { reqType: 'add'; add: AddReq }
  | { reqType: 'delete'; delete: DeleteReq }
  | { reqType: 'operate'; operate: OperateReq }
  | { reqType: 'notify'; notify: NotifyReq }
  | { reqType: 'getSupportedProtocol'; getSupportedProtocol: GetSupportedProtocolReq }
  | { reqType: 'register'; register: RegisterReq }
  | { reqType: 'deregister'; deregister: DeregisterReq };

export type Response =
  | { respType: 'getResp'; getResp: GetResp }
  | { respType: 'getSupportedDmResp'; getSupportedDmResp: GetSupportedDMResp }
  | { respType: 'getInstancesResp'; getInstancesResp: GetInstancesResp }
  | { respType: 'setResp'; setResp: SetResp }
  | { respType: 'addResp'; addResp: AddResp }
  | { respType: 'deleteResp'; deleteResp: DeleteResp }
  | { respType: 'operateResp'; operateResp: OperateResp }
  | { respType: 'notifyResp'; notifyResp: NotifyResp }
  | { respType: 'getSupportedProtocolResp'; getSupportedProtocolResp: GetSupportedProtocolResp }
  | { respType: 'registerResp'; registerResp: RegisterResp }
  | { respType: 'deregisterResp'; deregisterResp: DeregisterResp };

export type RequestType = Request['reqType'];
export type ResponseType = Response['respType'];

/** Header msg_type for each request member. */
export const REQUEST_MSG_TYPE: Readonly<Record<RequestType, MsgType>> = {
  get: 'GET',
  getSupportedDm: 'GET_SUPPORTED_DM',
  getInstances: 'GET_INSTANCES',
  set: 'SET',
  add: 'ADD',
  delete: 'DELETE',
  operate: 'OPERATE',
  notify: 'NOTIFY',
  getSupportedProtocol: 'GET_SUPPORTED_PROTO',
  register: 'REGISTER',
  deregister: 'DEREGISTER',
};

/** Header msg_type for each response member. */
export const RESPONSE_MSG_TYPE: Readonly<Record<ResponseType, MsgType>> = {
  getResp: 'GET_RESP',
  getSupportedDmResp: 'GET_SUPPORTED_DM_RESP',
  getInstancesResp: 'GET_INSTANCES_RESP',
  setResp: 'SET_RESP',
  addResp: 'ADD_RESP',
  deleteResp: 'DELETE_RESP',
  operateResp: 'OPERATE_RESP',
  notifyResp: 'NOTIFY_RESP',
  getSupportedProtocolResp: 'GET_SUPPORTED_PROTO_RESP',
  registerResp: 'REGISTER_RESP',
  deregisterResp: 'DEREGISTER_RESP',
};

// ---- Error (TR-369 "Error" message) ----

export interface ErrorBody {
  errCode: number;
  errMsg: string;
  /** Only for Add/Set/Delete with allow_partial=false. */
  paramErrs?: ErrorParam[];
}

export interface ErrorParam {
  paramPath: string;
  errCode: number;
  errMsg?: string;
}

/** Object-level failure shared by Add, Delete, Register and Deregister results. */
export interface OperationFailure {
  errCode: number;
  errMsg?: string;
}

/** Parameter-level failure inside Add and Set results. */
export interface ParameterError {
  param: string;
  errCode: number;
  errMsg?: string;
}

// ---- Get ----

export interface GetReq {
  paramPaths: string[];
  /** 0 means no limit. */
  maxDepth: number;
}

export interface GetResp {
  reqPathResults: GetRequestedPathResult[];
}

export interface GetRequestedPathResult {
  requestedPath: string;
  errCode?: number;
  errMsg?: string;
  resolvedPathResults?: ResolvedPathResult[];
}

export interface ResolvedPathResult {
  resolvedPath: string;
  /** Keys are relative to resolvedPath. */
  resultParams: StringMap;
}

// ---- GetSupportedDM ----

export interface GetSupportedDMReq {
  objPaths: string[];
  firstLevelOnly: boolean;
  returnCommands: boolean;
  returnEvents: boolean;
  returnParams: boolean;
  returnUniqueKeySets: boolean;
}

export interface GetSupportedDMResp {
  reqObjResults: RequestedObjectResult[];
}

export interface RequestedObjectResult {
  reqObjPath: string;
  errCode?: number;
  errMsg?: string;
  dataModelInstUri?: string;
  supportedObjs?: SupportedObjectResult[];
}

export type ObjAccessType = 'OBJ_READ_ONLY' | 'OBJ_ADD_DELETE' | 'OBJ_ADD_ONLY' | 'OBJ_DELETE_ONLY';
export type ParamAccessType = 'PARAM_READ_ONLY' | 'PARAM_READ_WRITE' | 'PARAM_WRITE_ONLY';
export type ParamValueType =
  | 'PARAM_UNKNOWN'
  | 'PARAM_BASE_64'
  | 'PARAM_BOOLEAN'
  | 'PARAM_DATE_TIME'
  | 'PARAM_DECIMAL'
  | 'PARAM_HEX_BINARY'
  | 'PARAM_INT'
  | 'PARAM_LONG'
  | 'PARAM_STRING'
  | 'PARAM_UNSIGNED_INT'
  | 'PARAM_UNSIGNED_LONG';
export type ValueChangeType = 'VALUE_CHANGE_UNKNOWN' | 'VALUE_CHANGE_ALLOWED' | 'VALUE_CHANGE_WILL_IGNORE';
export type CmdType = 'CMD_UNKNOWN' | 'CMD_SYNC' | 'CMD_ASYNC';

export interface SupportedObjectResult {
  supportedObjPath: string;
  access: ObjAccessType;
  isMultiInstance: boolean;
  supportedCommands?: SupportedCommandResult[];
  supportedEvents?: SupportedEventResult[];
  supportedParams?: SupportedParamResult[];
  divergentPaths?: string[];
  uniqueKeySets?: SupportedUniqueKeySet[];
}

export interface SupportedParamResult {
  paramName: string;
  access: ParamAccessType;
  valueType: ParamValueType;
  valueChange: ValueChangeType;
}

export interface SupportedCommandResult {
  commandName: string;
  inputArgNames?: string[];
  outputArgNames?: string[];
  commandType: CmdType;
}

export interface SupportedEventResult {
  eventName: string;
  argNames?: string[];
}

export interface SupportedUniqueKeySet {
  keyNames: string[];
}

// ---- GetInstances ----

export interface GetInstancesReq {
  objPaths: string[];
  firstLevelOnly: boolean;
}

export interface GetInstancesResp {
  reqPathResults: InstancesRequestedPathResult[];
}

export interface InstancesRequestedPathResult {
  requestedPath: string;
  errCode?: number;
  errMsg?: string;
  currInsts?: CurrInstance[];
}

export interface CurrInstance {
  instantiatedObjPath: string;
  uniqueKeys?: StringMap;
}

// ---- GetSupportedProtocol ----

export interface GetSupportedProtocolReq {
  /** Comma-separated versions, e.g. "1.3,1.4". */
  controllerSupportedProtocolVersions: string;
}

export interface GetSupportedProtocolResp {
  agentSupportedProtocolVersions: string;
}

// ---- Add ----

export interface AddReq {
  allowPartial: boolean;
  createObjs: CreateObject[];
}

export interface CreateObject {
  objPath: string;
  paramSettings: CreateParamSetting[];
}

export interface CreateParamSetting {
  param: string;
  value: string;
  required: boolean;
}

export interface AddResp {
  createdObjResults: CreatedObjectResult[];
}

export interface CreatedObjectResult {
  requestedPath: string;
  operStatus: AddOperationStatus;
}

export type AddOperationStatus = { operStatus: 'operFailure'; operFailure: OperationFailure } | { operStatus: 'operSuccess'; operSuccess: AddOperationSuccess };

export interface AddOperationSuccess {
  instantiatedPath: string;
  paramErrs?: ParameterError[];
  uniqueKeys?: StringMap;
}

// ---- Delete ----

export interface DeleteReq {
  allowPartial: boolean;
  objPaths: string[];
}

export interface DeleteResp {
  deletedObjResults: DeletedObjectResult[];
}

export interface DeletedObjectResult {
  requestedPath: string;
  operStatus: DeleteOperationStatus;
}

export type DeleteOperationStatus = { operStatus: 'operFailure'; operFailure: OperationFailure } | { operStatus: 'operSuccess'; operSuccess: DeleteOperationSuccess };

export interface DeleteOperationSuccess {
  affectedPaths?: string[];
  unaffectedPathErrs?: UnaffectedPathError[];
}

export interface UnaffectedPathError {
  unaffectedPath: string;
  errCode: number;
  errMsg?: string;
}

// ---- Set ----

export interface SetReq {
  allowPartial: boolean;
  updateObjs: UpdateObject[];
}

export interface UpdateObject {
  objPath: string;
  paramSettings: UpdateParamSetting[];
}

export interface UpdateParamSetting {
  param: string;
  value: string;
  required: boolean;
}

export interface SetResp {
  updatedObjResults: UpdatedObjectResult[];
}

export interface UpdatedObjectResult {
  requestedPath: string;
  operStatus: SetOperationStatus;
}

export type SetOperationStatus = { operStatus: 'operFailure'; operFailure: SetOperationFailure } | { operStatus: 'operSuccess'; operSuccess: SetOperationSuccess };

export interface SetOperationFailure {
  errCode: number;
  errMsg?: string;
  updatedInstFailures?: UpdatedInstanceFailure[];
}

export interface SetOperationSuccess {
  updatedInstResults?: UpdatedInstanceResult[];
}

export interface UpdatedInstanceFailure {
  affectedPath: string;
  paramErrs?: ParameterError[];
}

export interface UpdatedInstanceResult {
  affectedPath: string;
  paramErrs?: ParameterError[];
  updatedParams?: StringMap;
}

// ---- Operate ----

export interface OperateReq {
  command: string;
  commandKey: string;
  sendResp: boolean;
  inputArgs: StringMap;
}

export interface OperateResp {
  operationResults: OperationResult[];
}

export interface OutputArgs {
  outputArgs: StringMap;
}

export interface CommandFailure {
  errCode: number;
  errMsg?: string;
}

export type OperationResult = { executedCommand: string } & (
  { operationResp: 'reqObjPath'; reqObjPath: string } | { operationResp: 'reqOutputArgs'; reqOutputArgs: OutputArgs } | { operationResp: 'cmdFailure'; cmdFailure: CommandFailure }
);

// ---- Notify (sent by the agent) and NotifyResp ----

export type NotifyReq = { subscriptionId: string; sendResp: boolean } & Notification;

export type Notification =
  | { notification: 'event'; event: NotifyEvent }
  | { notification: 'valueChange'; valueChange: ValueChange }
  | { notification: 'objCreation'; objCreation: ObjectCreation }
  | { notification: 'objDeletion'; objDeletion: ObjectDeletion }
  | { notification: 'operComplete'; operComplete: OperationComplete }
  | { notification: 'onBoardReq'; onBoardReq: OnBoardRequest };

export interface NotifyEvent {
  objPath: string;
  eventName: string;
  /** The event arguments (the proto field is named params). */
  params?: StringMap;
}

export interface ValueChange {
  paramPath: string;
  paramValue: string;
}

export interface ObjectCreation {
  objPath: string;
  uniqueKeys?: StringMap;
}

export interface ObjectDeletion {
  objPath: string;
}

export type OperationComplete = { objPath: string; commandName: string; commandKey: string } & (
  { operationResp: 'reqOutputArgs'; reqOutputArgs: OutputArgs } | { operationResp: 'cmdFailure'; cmdFailure: CommandFailure }
);

export interface OnBoardRequest {
  oui: string;
  productClass: string;
  serialNumber: string;
  agentSupportedProtocolVersions: string;
}

export interface NotifyResp {
  subscriptionId: string;
}

// ---- Register / Deregister (USP 1.3; decoded and encoded, not acted on) ----

export interface RegisterReq {
  allowPartial: boolean;
  regPaths: { path: string }[];
}

export interface RegisterResp {
  registeredPathResults: {
    requestedPath: string;
    operStatus: { operStatus: 'operFailure'; operFailure: OperationFailure } | { operStatus: 'operSuccess'; operSuccess: { registeredPath: string } };
  }[];
}

export interface DeregisterReq {
  paths: string[];
}

export interface DeregisterResp {
  deregisteredPathResults: {
    requestedPath: string;
    operStatus: { operStatus: 'operFailure'; operFailure: OperationFailure } | { operStatus: 'operSuccess'; operSuccess: { deregisteredPath: string[] } };
  }[];
}
