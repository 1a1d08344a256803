import { randomUUID } from 'node:crypto'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { AppError, errorCatalogue } from '../../errors.js'
import { TAXII_MEDIA_TYPE, type ErrorMessage } from '../resources.js'

/** The challenges sent with every 401 (TAXII 2.1 section 1.6.9, RFC 7235). */
export const WWW_AUTHENTICATE = 'Basic realm="intelmesh", charset="UTF-8", Bearer realm="intelmesh"'

/** Turns anything thrown into an AppError; unexpected errors become TAXII_INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (error instanceof HTTPException) {
    const code =
      (Object.keys(errorCatalogue) as (keyof typeof errorCatalogue)[]).find(
        (key) => key.startsWith('TAXII_') && errorCatalogue[key].status === error.status,
      ) ?? 'TAXII_BAD_REQUEST'
    return new AppError(code, { detail: error.message, cause: error })
  }
  return new AppError('TAXII_INTERNAL', { cause: error })
}

/**
 * Renders an error as a TAXII error message (section 3.6.1) with its HTTP status;
 * `http_status` is the status as a string. Never includes a stack trace; unexpected errors
 * are logged with the `error_id` the client sees.
 */
export function renderError(c: Context, error: unknown, log: (line: string) => void): Response {
  const appError = toAppError(error)
  const errorId = randomUUID()
  if (appError.kind === 'server') {
    const cause = appError.cause ?? appError
    const text = cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause)
    log(`taxii: error ${errorId} on ${c.req.method} ${new URL(c.req.url).pathname}: ${text}`)
  }
  const body: ErrorMessage = {
    title: appError.title,
    description:
      appError.kind === 'server'
        ? `The server failed to process the request; quote error_id ${errorId} to its operator.`
        : (appError.detail ?? appError.title),
    error_id: errorId,
    error_code: appError.code,
    http_status: String(appError.status),
  }
  if (appError.details && appError.kind === 'client') body.details = { ...appError.details }
  const headers: Record<string, string> = { 'Content-Type': TAXII_MEDIA_TYPE }
  if (appError.status === 401) headers['WWW-Authenticate'] = WWW_AUTHENTICATE
  // The rest of an oversize body is not wanted: close rather than drain it for keep-alive.
  if (appError.status === 413) headers['Connection'] = 'close'
  const allow = appError.details?.['allow']
  if (appError.status === 405 && typeof allow === 'string') headers['Allow'] = allow
  return c.body(JSON.stringify(body), appError.status as ContentfulStatusCode, headers)
}
