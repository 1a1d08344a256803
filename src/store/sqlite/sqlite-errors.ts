/** Turning better-sqlite3 errors into AppError codes. */
import { AppError } from '../../errors.js'

/** The AppError for a SQLite driver error (other errors are returned unchanged). */
export function mapSqliteError(error: unknown, what: string): Error {
  if (!(error instanceof Error)) return new Error(`${what}: ${String(error)}`)
  if (error instanceof AppError) return error
  const code = (error as Error & { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error
  const detail = `${what}: ${error.message}`
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return new AppError('STORE_CONFLICT', { detail, cause: error, details: { sqlite: code } })
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return new AppError('STORE_NOT_FOUND', {
        detail: `${what}: a record it refers to does not exist`,
        cause: error,
        details: { sqlite: code },
      })
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
    case 'SQLITE_FULL':
    case 'SQLITE_READONLY':
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return new AppError('STORE_UNAVAILABLE', { detail, cause: error, details: { sqlite: code } })
    default:
      if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_BUSY')) {
        return new AppError('STORE_UNAVAILABLE', {
          detail,
          cause: error,
          details: { sqlite: code },
        })
      }
      return error
  }
}
