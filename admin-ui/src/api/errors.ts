/**
 * GraphQL errors as values the UI can act on, and their meaning in words.
 * Every server error carries `extensions.code` (see the contract); network
 * failures and unreadable answers get codes of their own.
 */
import { badInputInWords, conflictInWords, fieldMessageInWords, forbiddenInWords } from './wording';

export type ErrorCode =
  | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_INPUT' | 'CONFLICT' | 'LIMIT_EXCEEDED'
  | 'RATE_LIMITED' | 'UNAVAILABLE' | 'INTERNAL' | 'NETWORK' | 'UNKNOWN';

export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

const KNOWN: ErrorCode[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_INPUT', 'CONFLICT', 'LIMIT_EXCEEDED', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL'];

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.extensions = extensions;
  }

  static fromGraphQL(e: GraphQLErrorJson): ApiError {
    const raw = e.extensions?.code;
    const code = KNOWN.includes(raw as ErrorCode) ? (raw as ErrorCode) : 'UNKNOWN';
    return new ApiError(code, e.message, e.extensions ?? {});
  }
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('UNKNOWN', message);
}

/** One sentence a person can act on. */
export function describeError(err: unknown): string {
  const e = asApiError(err);
  switch (e.code) {
    case 'UNAUTHENTICATED':
      return 'Your session has ended or the credentials are wrong. Please sign in again.';
    case 'FORBIDDEN':
      return forbiddenInWords(e.message);
    case 'NOT_FOUND':
      return `This does not exist (any more), or you cannot see it: ${e.message.replace(/`/g, '')}. Go back to the list and reload it.`;
    case 'BAD_INPUT':
      return badInputInWords(e.message);
    case 'CONFLICT':
      return conflictInWords(e.message);
    case 'LIMIT_EXCEEDED':
      return `That is more than the server takes at once (${e.message.replace(/`/g, '')}). Ask for less, or split it up.`;
    case 'RATE_LIMITED': {
      const wait = Number(e.extensions.retryAfter);
      return `Too many attempts. Wait ${wait > 0 ? `${wait} seconds` : 'a moment'}, then try again.`;
    }
    case 'UNAVAILABLE':
      return 'The server is not ready right now. Try again in a moment.';
    case 'INTERNAL': {
      const id = e.extensions.requestId ?? e.extensions.request_id ?? /request id ([\w-]+)/.exec(e.message)?.[1];
      return `Something went wrong on the server${id ? ` (request id ${String(id)})` : ''}. Try again, or report it with that id.`;
    }
    case 'NETWORK':
      return 'Could not reach the Vary server. Check your connection and try again.';
    default:
      return e.message || 'Something unexpected happened.';
  }
}

/** Whether trying the same thing again could work (never for bad input, permissions or conflicts). */
export function isRetryable(err: unknown): boolean {
  return ['NETWORK', 'UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED', 'UNKNOWN'].includes(asApiError(err).code);
}

/**
 * For BAD_INPUT: the server's message when it concerns `field` (named in
 * `extensions.field`, or quoted / as `fields.NAME` in the message).
 */
export function messageForField(err: unknown, field: string): string | null {
  const e = asApiError(err);
  if (e.code !== 'BAD_INPUT') return null;
  const named = e.extensions.field;
  if (typeof named === 'string') return named === field || named === `fields.${field}` ? fieldMessageInWords(e.message) : null;
  const quoted = new RegExp(`["'\`]${escape(field)}["'\`]|fields\\.${escape(field)}\\b`);
  return quoted.test(e.message) ? fieldMessageInWords(e.message) : null;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
