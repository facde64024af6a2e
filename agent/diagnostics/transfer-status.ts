/**
 * The Status values of Device.IP.Diagnostics.DownloadDiagnostics() and UploadDiagnostics()
 * (TR-181 2.19, TR-143 §4), and how a real HTTP failure maps onto them. The two commands
 * enumerate different failures: only a download has Error_TransferFailed and
 * Error_IncorrectSize, only an upload has Error_NoTransferComplete, so every mapping takes the
 * direction. FTP-only values (Error_PasswordRequestFailed, Error_NoTransferMode, Error_NoPASV,
 * Error_NoCWD, Error_NoSTOR) never occur: only HTTP is advertised in DownloadTransports.
 */

export type TransferDirection = 'download' | 'upload';

export type TransferStatus =
  | 'Complete'
  | 'Error_CannotResolveHostName'
  | 'Error_NoRouteToHost'
  | 'Error_InitConnectionFailed'
  | 'Error_NoResponse'
  | 'Error_TransferFailed'
  | 'Error_LoginFailed'
  | 'Error_IncorrectSize'
  | 'Error_NoTransferComplete'
  | 'Error_Timeout'
  | 'Error_Internal'
  | 'Error_Other';

/** A socket error before the TCP connection was up: no route, or the open itself failed. */
export function connectFailureStatus(code: string | undefined): TransferStatus {
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'Error_NoRouteToHost';
  return 'Error_InitConnectionFailed';
}

/** The HTTP status code of a response that is not a success (2xx). */
export function httpFailureStatus(dir: TransferDirection, statusCode: number): TransferStatus {
  // The test URL may not ask for credentials (TR-181: "HTTP Authentication MUST NOT be used").
  if (statusCode === 401 || statusCode === 407) return 'Error_LoginFailed';
  return dir === 'download' ? 'Error_TransferFailed' : 'Error_NoTransferComplete';
}

/**
 * The connection ended (closed or reset) after the response began but before its end: a
 * download whose Content-Length was not met is the wrong size (TR-143 Error_IncorrectSize).
 */
export function cutShortStatus(dir: TransferDirection, hadContentLength: boolean): TransferStatus {
  if (dir === 'upload') return 'Error_NoTransferComplete';
  return hadContentLength ? 'Error_IncorrectSize' : 'Error_TransferFailed';
}
