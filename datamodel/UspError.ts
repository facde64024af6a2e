/**
 * TR-369 error codes (its section "Error Codes") and the typed error
 * every layer throws. Per-path failures travel as data in responses; only malformed or
 * unauthorised messages become a USP Error message.
 */
export enum ErrorCode {
  MessageFailed = 7000,
  MessageNotSupported = 7001,
  RequestDenied = 7002,
  InternalError = 7003,
  InvalidArguments = 7004,
  ResourcesExceeded = 7005,
  PermissionDenied = 7006,
  InvalidConfiguration = 7007,
  InvalidPathSyntax = 7008,
  ParameterActionFailed = 7009,
  UnsupportedParameter = 7010,
  InvalidType = 7011,
  InvalidValue = 7012,
  ParamReadOnly = 7013,
  ValueConflict = 7014,
  OperationError = 7015,
  ObjectDoesNotExist = 7016,
  ObjectCouldNotBeCreated = 7017,
  ObjectNotTable = 7018,
  ObjectNotCreatable = 7019,
  ObjectNotUpdated = 7020,
  RequiredParamFailed = 7021,
  CommandFailure = 7022,
  CommandCanceled = 7023,
  DeleteFailure = 7024,
  DuplicateUniqueKey = 7025,
  InvalidPath = 7026,
  InvalidCommandArgs = 7027,
  RegisterFailure = 7028,
  AlreadyInUse = 7029,
  DeregisterFailure = 7030,
  PathAlreadyRegistered = 7031,
  /** 7033-7036: file transfer faults TR-181 names for InstallDU()/Update() (DUStateChange! Fault). */
  ServerUnreachable = 7033,
  ServerInsecure = 7034,
  CorruptData = 7035,
  BadSignature = 7036,
  /** 7223-7229: Software Module Management faults (TR-181 SoftwareModules DUStateChange! Fault.FaultCode). */
  UnknownExecEnv = 7223,
  DisabledExecEnv = 7224,
  DuExecEnvMismatch = 7225,
  DuplicateDeploymentUnit = 7226,
  SystemResourcesExceeded = 7227,
  UnknownDeploymentUnit = 7228,
  InvalidDeploymentUnitState = 7229,
  RecordNotParsed = 7100,
  SecureSessionRequired = 7101,
  SecureSessionNotSupported = 7102,
  SegmentationNotSupported = 7103,
  InvalidRecordValue = 7104,
  SessionContextTerminated = 7105,
  SessionContextNotAllowed = 7106,
}

/** One failed parameter inside an object-level failure. */
export interface ParamError {
  /** Relative parameter name (Set/Add) or full path (Error.param_errs), as the caller decides. */
  param: string;
  code: ErrorCode;
  message: string;
}

export class UspError extends Error {
  readonly code: ErrorCode;
  /** Full path the error is about, if any. */
  readonly path?: string;
  readonly paramErrors: ParamError[];
  /**
   * True when whoever threw it has logged it already (a plugin's failures are logged once per
   * burst): the handlers then do not log it again for every request.
   */
  readonly logged: boolean;
  /**
   * True when the failure is confined to its source's own objects (a plugin's provider): a read
   * of an enclosing subtree leaves those objects out instead of failing as a whole.
   */
  readonly isolated: boolean;

  constructor(code: ErrorCode, message: string, opts: { path?: string; paramErrors?: ParamError[]; logged?: boolean; isolated?: boolean } = {}) {
    super(message);
    this.name = 'UspError';
    this.code = code;
    this.path = opts.path;
    this.paramErrors = opts.paramErrors ?? [];
    this.logged = opts.logged ?? false;
    this.isolated = opts.isolated ?? false;
  }
}

/** Any thrown value as a UspError; non-USP errors are our own bugs and become 7003. */
export function toUspError(e: unknown): UspError {
  if (e instanceof UspError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new UspError(ErrorCode.InternalError, `internal error: ${message}`);
}
