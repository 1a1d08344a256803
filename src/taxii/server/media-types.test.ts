import { describe, expect, it } from 'vitest'
import { acceptsTaxii, isTaxiiContentType } from './media-types.js'

describe('acceptsTaxii (TAXII 2.1 section 1.6.8, RFC 7231 section 5.3.2)', () => {
  it.each([
    'application/taxii+json;version=2.1',
    'APPLICATION/TAXII+JSON; Version=2.1',
    'application/taxii+json',
    'application/*',
    '*/*',
    'application/json, application/taxii+json;version=2.1;q=0.1',
    'application/taxii+json;version="2.1"',
    'text/plain;q=1, */*;q=0.01',
  ])('accepts %s', (accept) => {
    expect(acceptsTaxii(accept)).toBe(true)
  })

  it('treats an absent or empty header as accepting anything', () => {
    expect(acceptsTaxii(undefined)).toBe(true)
    expect(acceptsTaxii('  ')).toBe(true)
  })

  it.each([
    'application/json',
    'application/taxii+json;version=2.0',
    'application/taxii+json;version=2.1;q=0',
    'application/taxii+json;version=2.1;q=0, */*',
    'application/*;q=0, */*',
    'text/*',
    'garbage',
    'application/taxii+json;q=abc',
  ])('refuses %s', (accept) => {
    expect(acceptsTaxii(accept)).toBe(false)
  })
})

describe('isTaxiiContentType (TAXII 2.1 section 5.5)', () => {
  it.each([
    'application/taxii+json;version=2.1',
    'application/taxii+json; version=2.1; charset=utf-8',
    'application/taxii+json',
  ])('accepts %s', (type) => {
    expect(isTaxiiContentType(type)).toBe(true)
  })

  it.each([
    undefined,
    'application/json',
    'application/stix+json;version=2.1',
    'application/taxii+json;version=2.0',
    'application/taxii+json;version=2.1;charset=latin1',
    '*/*',
  ])('refuses %s', (type) => {
    expect(isTaxiiContentType(type)).toBe(false)
  })
})
