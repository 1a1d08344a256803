/** Turning `pg` driver errors into AppError codes. */
import { AppError } from '../../errors.js'

const unavailableNodeCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'EPIPE',
])

/** The AppError for a PostgreSQL driver error (other errors are returned unchanged). */
export function mapPostgresError(error: unknown, what: string): Error {
  if (!(error instanceof Error)) return new Error(`${what}: ${String(error)}`)
  if (error instanceof AppError) return error
  const code = (error as Error & { code?: unknown }).code
  const detail = `${what}: ${error.message}`
  if (typeof code !== 'string') {
    if (/connection terminated|timeout exceeded when trying to connect/i.test(error.message)) {
      return new AppError('STORE_UNAVAILABLE', { detail, cause: error })
    }
    return error
  }
  if (code === '23505') {
    return new AppError('STORE_CONFLICT', { detail, cause: error, details: { sqlstate: code } })
  }
  if (code === '23503') {
    return new AppError('STORE_NOT_FOUND', {
      detail: `${what}: a record it refers to does not exist`,
      cause: error,
      details: { sqlstate: code },
    })
  }
  // Connection exceptions (08), shutdown (57P), auth (28), unknown database (3D000), and
  // resource exhaustion (53): the database cannot serve us, nothing the caller did.
  if (unavailableNodeCodes.has(code) || /^(08|57P|28|53)/.test(code) || code === '3D000') {
    return new AppError('STORE_UNAVAILABLE', { detail, cause: error, details: { sqlstate: code } })
  }
  return error
}
