import { describe, expect, it } from 'vitest'
import { backoffDelay, isRetryableStatus, parseRetryAfter } from './retry-policy.js'

describe('backoffDelay', () => {
  const settings = { baseDelayMs: 100, maxDelayMs: 1000 }

  it('draws from a window that doubles with each retry (full jitter)', () => {
    expect(backoffDelay(0, settings, () => 0.999)).toBe(99)
    expect(backoffDelay(1, settings, () => 0.999)).toBe(199)
    expect(backoffDelay(2, settings, () => 0.5)).toBe(200)
    expect(backoffDelay(3, settings, () => 0)).toBe(0)
  })

  it('never exceeds maxDelayMs', () => {
    expect(backoffDelay(20, settings, () => 0.999)).toBe(999)
  })

  it('spreads delays across the window with the real random source', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(3, settings))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...delays)).toBeLessThan(800)
    expect(new Set(delays).size).toBeGreaterThan(50)
  })
})

describe('parseRetryAfter (RFC 9110 section 10.2.3)', () => {
  const now = Date.parse('2026-10-21T07:28:00Z')

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
  })

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now)).toBe(30_000)
  })

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now)).toBe(0)
  })

  it('gives undefined for absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('1.5', now)).toBeUndefined()
    expect(parseRetryAfter('2026-10-21', now)).toBeUndefined()
  })
})

describe('isRetryableStatus', () => {
  it('retries 429 and 5xx, never other 4xx', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true)
    expect([400, 401, 403, 404, 406, 413, 415, 422].some(isRetryableStatus)).toBe(false)
  })
})
