/**
 * The error catalogue: every error code the project raises, with the HTTP status it maps to,
 * a short title, and whether it is the caller's fault (`client`) or ours (`server`).
 *
 * Expected outcomes (invalid STIX, an unknown id) are values, not errors; `AppError` is thrown
 * for broken preconditions and failed I/O, and rendered once at each entry point (TAXII's
 * `onError`, the CLI's top level).
 */
export const errorCatalogue = {
  // STIX content
  STIX_INVALID_OBJECT: { status: 422, title: 'Invalid STIX object', kind: 'client' },
  STIX_INVALID_JSON: { status: 400, title: 'Input is not valid JSON', kind: 'client' },
  STIX_INPUT_TOO_DEEP: { status: 400, title: 'JSON nested too deeply', kind: 'client' },
  STIX_UNUSABLE_INPUT: { status: 400, title: 'Input is not STIX', kind: 'client' },
  // Patterns
  PATTERN_SYNTAX: { status: 400, title: 'STIX pattern syntax error', kind: 'client' },
  PATTERN_UNSUPPORTED: { status: 400, title: 'STIX pattern feature not supported', kind: 'client' },
  PATTERN_REGEX: {
    status: 400,
    title: 'Unsupported or invalid regular expression',
    kind: 'client',
  },
  // TAXII protocol
  TAXII_BAD_REQUEST: { status: 400, title: 'Bad request', kind: 'client' },
  TAXII_BAD_PARAMETER: { status: 400, title: 'Invalid query parameter', kind: 'client' },
  TAXII_BAD_NEXT: { status: 400, title: 'Invalid next token', kind: 'client' },
  TAXII_UNAUTHORIZED: { status: 401, title: 'Authentication required', kind: 'client' },
  TAXII_FORBIDDEN: { status: 403, title: 'Forbidden', kind: 'client' },
  TAXII_NOT_FOUND: { status: 404, title: 'Not found', kind: 'client' },
  TAXII_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', kind: 'client' },
  TAXII_NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable', kind: 'client' },
  TAXII_PAYLOAD_TOO_LARGE: { status: 413, title: 'Request entity too large', kind: 'client' },
  TAXII_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', kind: 'client' },
  TAXII_UNPROCESSABLE: { status: 422, title: 'Unprocessable entity', kind: 'client' },
  TAXII_INTERNAL: { status: 500, title: 'Internal server error', kind: 'server' },
  // Storage
  STORE_VERSION_EXISTS: { status: 409, title: 'Object version already stored', kind: 'client' },
  STORE_NOT_FOUND: { status: 404, title: 'Record not found', kind: 'client' },
  STORE_CONFLICT: { status: 409, title: 'Record already exists', kind: 'client' },
  STORE_MIGRATION_FAILED: { status: 500, title: 'Database migration failed', kind: 'server' },
  STORE_UNAVAILABLE: { status: 503, title: 'Database unavailable', kind: 'server' },
  STORE_BAD_URL: { status: 400, title: 'Unusable database URL', kind: 'client' },
  // Configuration and CLI
  CONFIG_INVALID: { status: 400, title: 'Invalid configuration', kind: 'client' },
  CLI_USAGE: { status: 400, title: 'Invalid command usage', kind: 'client' },
  CLI_INPUT_UNREADABLE: { status: 400, title: 'Input cannot be read', kind: 'client' },
  // Accounts
  AUTH_INVALID_CREDENTIALS: { status: 401, title: 'Invalid credentials', kind: 'client' },
  AUTH_DISABLED: { status: 401, title: 'Account disabled', kind: 'client' },
  ADMIN_INVALID_INPUT: { status: 400, title: 'Invalid administration request', kind: 'client' },
  ADMIN_UNAUTHORIZED: { status: 401, title: 'Authentication required', kind: 'client' },
  ADMIN_FORBIDDEN: { status: 403, title: 'Not allowed', kind: 'client' },
  ADMIN_NOT_FOUND: { status: 404, title: 'No such admin API resource', kind: 'client' },
  ADMIN_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', kind: 'client' },
  ADMIN_PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large', kind: 'client' },
  ADMIN_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', kind: 'client' },
  ADMIN_INTERNAL: { status: 500, title: 'Internal server error', kind: 'server' },
  // Audit log
  AUDIT_INVALID_ENTRY: { status: 500, title: 'Invalid audit log entry', kind: 'server' },
} as const satisfies Record<string, { status: number; title: string; kind: 'client' | 'server' }>

/** A code from {@link errorCatalogue}. */
export type ErrorCode = keyof typeof errorCatalogue

/** The one error class of the project: a catalogue code, a detail for people, and the cause. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly title: string
  readonly kind: 'client' | 'server'
  readonly detail: string | undefined
  /** Extra machine-readable context (object id, parameter name, pattern column...). */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: ErrorCode,
    options: { detail?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    const entry = errorCatalogue[code]
    super(options.detail ? `${entry.title}: ${options.detail}` : entry.title, {
      cause: options.cause,
    })
    this.name = 'AppError'
    this.code = code
    this.status = entry.status
    this.title = entry.title
    this.kind = entry.kind
    this.detail = options.detail
    this.details = options.details
  }
}

/** True when `error` is an {@link AppError}, optionally with the given code. */
export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code)
}
