import { describe, expect, it } from 'vitest'
import type { Principal } from '../../accounts/principal.js'
import { collectionAccess } from './collection-access.js'

const analyst: Principal = {
  via: 'api-key',
  userId: 'u1',
  userName: 'u',
  orgId: 'o1',
  role: 'analyst',
}

const closed = { nodeOrgId: 'node-org', public: false }
const open = { nodeOrgId: 'node-org', public: true }

describe('collectionAccess', () => {
  it('combines the user and organisation grants', () => {
    expect(
      collectionAccess(
        analyst,
        [
          {
            collectionId: 'c',
            subjectKind: 'org',
            subjectId: 'o1',
            canRead: true,
            canWrite: false,
          },
          {
            collectionId: 'c',
            subjectKind: 'user',
            subjectId: 'u1',
            canRead: false,
            canWrite: true,
          },
        ],
        closed,
      ),
    ).toEqual({ visible: true, canRead: true, canWrite: true })
  })

  it('ignores grants to other users and organisations (the collection is invisible)', () => {
    expect(
      collectionAccess(
        analyst,
        [
          { collectionId: 'c', subjectKind: 'org', subjectId: 'o2', canRead: true, canWrite: true },
          {
            collectionId: 'c',
            subjectKind: 'user',
            subjectId: 'o1',
            canRead: true,
            canWrite: true,
          },
        ],
        closed,
      ),
    ).toEqual({ visible: false, canRead: false, canWrite: false })
  })

  it('treats a grant with neither right as no grant', () => {
    const grant = {
      collectionId: 'c',
      subjectKind: 'user' as const,
      subjectId: 'u1',
      canRead: false,
      canWrite: false,
    }
    expect(collectionAccess(analyst, [grant], closed).visible).toBe(false)
  })

  it('lets a node admin (admin of the node organisation) read and write everything', () => {
    expect(collectionAccess({ ...analyst, role: 'admin', orgId: 'node-org' }, [], closed)).toEqual({
      visible: true,
      canRead: true,
      canWrite: true,
    })
  })

  it('gives an admin of another organisation only its grants (issue 5)', () => {
    const admin = { ...analyst, role: 'admin' as const }
    expect(collectionAccess(admin, [], closed).visible).toBe(false)
    expect(collectionAccess(admin, [], { nodeOrgId: undefined, public: false }).visible).toBe(false)
    const grant = { collectionId: 'c', subjectKind: 'org' as const, subjectId: 'o1' }
    expect(collectionAccess(admin, [{ ...grant, canRead: true, canWrite: false }], closed)).toEqual(
      { visible: true, canRead: true, canWrite: false },
    )
  })

  it('never lets a reader write, even with a can_write grant (issue 5, role limits)', () => {
    const reader = { ...analyst, role: 'reader' as const }
    const grant = { collectionId: 'c', subjectKind: 'user' as const, subjectId: 'u1' }
    expect(collectionAccess(reader, [{ ...grant, canRead: true, canWrite: true }], closed)).toEqual(
      { visible: true, canRead: true, canWrite: false },
    )
    expect(
      collectionAccess(reader, [{ ...grant, canRead: false, canWrite: true }], closed),
    ).toEqual({ visible: true, canRead: false, canWrite: false })
  })

  it('opens a public collection to reading by anyone, credentials or not, never to writing', () => {
    expect(collectionAccess(undefined, [], open)).toEqual({
      visible: true,
      canRead: true,
      canWrite: false,
    })
    expect(collectionAccess(undefined, [], closed)).toEqual({
      visible: false,
      canRead: false,
      canWrite: false,
    })
    expect(collectionAccess(analyst, [], open)).toEqual({
      visible: true,
      canRead: true,
      canWrite: false,
    })
  })
})
