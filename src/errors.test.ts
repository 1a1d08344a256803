import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppError, errorCatalogue, isAppError } from './errors.js'

/** The rows of the table in docs/errors.md, as { code, status }. */
function documentedCodes(): Map<string, number> {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
  const rows = new Map<string, number>()
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const code = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1]
    if (code) rows.set(code, Number(cells[2]))
  }
  return rows
}

describe('errorCatalogue', () => {
  it('has a row in docs/errors.md for every code, with the same status', () => {
    const rows = documentedCodes()
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      expect(rows.get(code), `docs/errors.md row for ${code}`).toBe(entry.status)
    }
  })

  it('documents no code that the catalogue lacks', () => {
    expect([...documentedCodes().keys()].sort()).toEqual(Object.keys(errorCatalogue).sort())
  })
})

describe('AppError', () => {
  it('carries code, status, detail and cause', () => {
    const cause = new Error('disk full')
    const error = new AppError('STORE_UNAVAILABLE', { detail: 'cannot open db', cause })
    expect(error.status).toBe(503)
    expect(error.message).toBe('Database unavailable: cannot open db')
    expect(error.cause).toBe(cause)
    expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true)
    expect(isAppError(error, 'TAXII_NOT_FOUND')).toBe(false)
    expect(isAppError(new Error('x'))).toBe(false)
  })
})
