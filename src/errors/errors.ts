/**
 * Errors are classified once, here; the HTTP layer maps the class to a status and the contract's
 * JSON shape `{"error": {"code", "message", "details"}}`.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable'
  | 'invalid_config'
  | 'internal';

const statusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  // Only for people's sign-in attempts: senders of alerts never see a 429 (they would not retry it).
  too_many_requests: 429,
  unavailable: 503,
  invalid_config: 500,
  internal: 500,
};

/**
 * A refusal in words any language can give: a message key of the catalog (src/text/messages/) and its values.
 * Doors that answer people in their language (SMS, calls, signed links) say it instead of the English message.
 */
export interface Reason {
  key: string;
  values?: Record<string, string | number>;
}

export interface FieldProblem {
  field: string;
  problem: string;
}

export class VigilError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds a sender should wait before retrying (503 only). */
    readonly retryAfter?: number,
    readonly reason?: Reason,
  ) {
    super(message);
    this.name = 'VigilError';
    this.status = statusByCode[code];
  }
}

export const badRequest = (message: string, details?: FieldProblem[]) =>
  new VigilError('bad_request', message, details);
export const unauthorized = (message = 'missing or invalid credentials', reason?: Reason) =>
  new VigilError('unauthorized', message, undefined, undefined, reason);
export const forbidden = (message: string) => new VigilError('forbidden', message);
export const notFound = (message: string, reason?: Reason) => new VigilError('not_found', message, undefined, undefined, reason);
export const conflict = (message: string, reason?: Reason) => new VigilError('conflict', message, undefined, undefined, reason);
export const unavailable = (message: string, retryAfter = 1) =>
  new VigilError('unavailable', message, undefined, retryAfter);
/** The error says the store (or another part) cannot serve now but will: trying again later is right. */
export const isUnavailable = (err: unknown): boolean => err instanceof VigilError && err.code === 'unavailable';
/** More writes wait for the store than it takes: the sender retries in a second. */
export const tooManyWrites = () => unavailable('too many writes waiting for the store; retry shortly', 1);
