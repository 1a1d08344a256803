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

describe('collectionAccess', () => {
  it('combines the user and organisation grants', () => {
    expect(
      collectionAccess(analyst, [
        { collectionId: 'c', subjectKind: 'org', subjectId: 'o1', canRead: true, canWrite: false },
        { collectionId: 'c', subjectKind: 'user', subjectId: 'u1', canRead: false, canWrite: true },
      ]),
    ).toEqual({ visible: true, canRead: true, canWrite: true })
  })

  it('ignores grants to other users and organisations (the collection is invisible)', () => {
    expect(
      collectionAccess(analyst, [
        { collectionId: 'c', subjectKind: 'org', subjectId: 'o2', canRead: true, canWrite: true },
        { collectionId: 'c', subjectKind: 'user', subjectId: 'o1', canRead: true, canWrite: true },
      ]),
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
    expect(collectionAccess(analyst, [grant]).visible).toBe(false)
  })

  it('lets a node admin read and write everything', () => {
    expect(collectionAccess({ ...analyst, role: 'admin' }, [])).toEqual({
      visible: true,
      canRead: true,
      canWrite: true,
    })
  })
})
