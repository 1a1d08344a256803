import { describe, expect, it } from 'vitest'
import { isTaxii21MediaType } from './media-type.js'

describe('isTaxii21MediaType (TAXII 2.1 sections 1.6.8 and 3.1)', () => {
  it('accepts the TAXII 2.1 media type, with or without spaces, case or charset', () => {
    expect(isTaxii21MediaType('application/taxii+json;version=2.1')).toBe(true)
    expect(isTaxii21MediaType('application/taxii+json; version=2.1')).toBe(true)
    expect(isTaxii21MediaType('Application/TAXII+JSON; Version="2.1"; charset=utf-8')).toBe(true)
  })

  it('accepts the media type without a version (the latest, section 1.6.8.2)', () => {
    expect(isTaxii21MediaType('application/taxii+json')).toBe(true)
  })

  it('refuses other versions and other media types', () => {
    expect(isTaxii21MediaType('application/taxii+json;version=2.0')).toBe(false)
    expect(isTaxii21MediaType('application/json')).toBe(false)
    expect(isTaxii21MediaType('application/stix+json;version=2.1')).toBe(false)
    expect(isTaxii21MediaType('')).toBe(false)
    expect(isTaxii21MediaType(null)).toBe(false)
  })
})
