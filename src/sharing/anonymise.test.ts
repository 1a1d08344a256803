import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import { anonymise, viewJson } from './anonymise.js'
import type { Viewer } from './policy.js'

const ALLIANCE = 'identity--0d3c3c1e-5a5f-4c1a-9d4f-2b7e8c9a1f00'
const MEMBER = 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff'

function fixture(name: string): Promise<string> {
  return readFile(new URL(`../../test/fixtures/sharing/${name}`, import.meta.url), 'utf8')
}

function thrownBy(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('anonymise (issue 5, anonymous publishing; STIX 2.1 section 3.2 created_by_ref)', () => {
  it('replaces only the top-level created_by_ref value and keeps every other byte', async () => {
    const raw = await fixture('anonymous-indicator.json')
    const expected = await fixture('anonymous-indicator.anonymised.json')
    expect(anonymise(raw, ALLIANCE)).toBe(expected)
  })

  it('leaves an object without created_by_ref unchanged', () => {
    const raw = '{ "type": "indicator", "x_note": {"created_by_ref": "identity--x"} }'
    expect(anonymise(raw, ALLIANCE)).toBe(raw)
    expect(anonymise('{}', ALLIANCE)).toBe('{}')
    expect(anonymise(' {\r\n} ', ALLIANCE)).toBe(' {\r\n} ')
  })

  it('matches an escaped key spelling and CRLF spacing', () => {
    const raw = `{\r\n"id":"x--1",\r\n"created\\u005fby_ref"\r\n:\r\n"${MEMBER}"\r\n}`
    expect(anonymise(raw, ALLIANCE)).toBe(
      `{\r\n"id":"x--1",\r\n"created\\u005fby_ref"\r\n:\r\n"${ALLIANCE}"\r\n}`,
    )
  })

  it('replaces every duplicate of the key (no copy of the true publisher survives)', () => {
    const raw = `{"created_by_ref":"${MEMBER}","a":[1,{"b":"]}"}],"created_by_ref":"${MEMBER}"}`
    expect(anonymise(raw, ALLIANCE)).toBe(
      `{"created_by_ref":"${ALLIANCE}","a":[1,{"b":"]}"}],"created_by_ref":"${ALLIANCE}"}`,
    )
  })

  it('handles created_by_ref as the first, the last and the only member', () => {
    expect(anonymise(`{"created_by_ref":"${MEMBER}"}`, ALLIANCE)).toBe(
      `{"created_by_ref":"${ALLIANCE}"}`,
    )
    expect(
      anonymise(`{"n":-1.5e-3,"t":true,"z":null,"created_by_ref":"${MEMBER}"}`, ALLIANCE),
    ).toBe(`{"n":-1.5e-3,"t":true,"z":null,"created_by_ref":"${ALLIANCE}"}`)
  })

  it('keeps bytes identical for any object and serialisation (property)', () => {
    const marker = `\u0001cbr-${'9'.repeat(8)}\u0001`
    const nested = fc.dictionary(
      fc.constantFrom('created_by_ref', 'id', 'name', 'x_y'),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    )
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((k) => k !== 'created_by_ref' && k !== '__proto__'),
          fc.oneof(fc.jsonValue(), nested),
        ),
        fc.nat(),
        fc.constantFrom<number | string>(0, 1, 2, '\t', ' \r\n'),
        fc.uuid({ version: 4 }),
        (members, at, indent, uuid) => {
          const entries = Object.entries(members)
          const position = entries.length === 0 ? 0 : at % (entries.length + 1)
          entries.splice(position, 0, ['created_by_ref', marker])
          const template = JSON.stringify(Object.fromEntries(entries), null, indent)
          const markerJson = JSON.stringify(marker)
          expect(template.split(markerJson)).toHaveLength(2)
          const raw = template.replace(markerJson, JSON.stringify(`identity--${uuid}`))
          const expected = template.replace(markerJson, JSON.stringify(ALLIANCE))
          expect(anonymise(raw, ALLIANCE)).toBe(expected)
        },
      ),
    )
  })

  it('refuses an alliance identity that is not identity--<UUID> (CONFIG_INVALID)', () => {
    for (const bad of [
      '',
      'identity--nope',
      MEMBER.replace('identity', 'indicator'),
      `${ALLIANCE} `,
    ]) {
      const error = thrownBy(() => anonymise('{}', bad))
      expect(isAppError(error, 'CONFIG_INVALID')).toBe(true)
      expect((error as Error).message).toContain('alliance identity')
    }
  })

  it('refuses text that is not a JSON object, naming the problem', () => {
    expect(
      isAppError(
        thrownBy(() => anonymise('{"a":', ALLIANCE)),
        'STIX_INVALID_JSON',
      ),
    ).toBe(true)
    for (const notObject of ['[]', '"s"', '1', 'null']) {
      expect(
        isAppError(
          thrownBy(() => anonymise(notObject, ALLIANCE)),
          'STIX_INVALID_OBJECT',
        ),
      ).toBe(true)
    }
  })

  it('refuses a created_by_ref that is not a string, naming the object', () => {
    const error = thrownBy(() =>
      anonymise('{"id":"indicator--1","created_by_ref":["identity--x"]}', ALLIANCE),
    )
    expect(isAppError(error, 'STIX_INVALID_OBJECT')).toBe(true)
    expect((error as Error).message).toContain('indicator--1')
  })
})

describe('viewJson', () => {
  const raw = `{"id":"indicator--1","created_by_ref":"${MEMBER}"}`
  const anonymised = `{"id":"indicator--1","created_by_ref":"${ALLIANCE}"}`
  const viewers: Record<string, Viewer> = {
    publisher: { kind: 'user', orgId: 'org-pub', role: 'reader', isNodeAdmin: false },
    other: { kind: 'user', orgId: 'org-b', role: 'analyst', isNodeAdmin: false },
    nodeAdmin: { kind: 'user', orgId: 'org-ops', role: 'admin', isNodeAdmin: true },
    public: { kind: 'public' },
    peer: { kind: 'peer', peerId: 'peer-a', orgId: 'org-pub' },
  }

  it('shows an anonymous version as stored to its publisher only', () => {
    const v = { publisherOrgId: 'org-pub', anonymous: true }
    expect(viewJson(raw, v, viewers['publisher']!, ALLIANCE)).toBe(raw)
    for (const name of ['other', 'nodeAdmin', 'public', 'peer']) {
      expect(viewJson(raw, v, viewers[name]!, ALLIANCE), name).toBe(anonymised)
    }
  })

  it('shows a version that is not anonymous as stored to everyone', () => {
    for (const viewer of Object.values(viewers)) {
      expect(viewJson(raw, { publisherOrgId: 'org-pub', anonymous: false }, viewer, ALLIANCE)).toBe(
        raw,
      )
    }
  })
})
