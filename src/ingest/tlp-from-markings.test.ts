import { describe, expect, it } from 'vitest'
import { tlpFromMarkings } from './tlp-from-markings.js'

const TLP2 = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  amberStrict: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
}
const TLP1 = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
}

describe('tlpFromMarkings', () => {
  it('maps TLP 1.0 WHITE and TLP 2.0 CLEAR to clear', () => {
    expect(tlpFromMarkings([TLP1.white])).toBe('clear')
    expect(tlpFromMarkings([TLP2.clear])).toBe('clear')
  })

  it('picks the most restrictive level across TLP 1.0 and 2.0 markings', () => {
    expect(tlpFromMarkings([TLP1.green, TLP2.amberStrict, TLP2.clear])).toBe('amber+strict')
    expect(tlpFromMarkings([TLP2.amberStrict, TLP1.red])).toBe('red')
  })

  it('returns null when no TLP marking is present', () => {
    expect(tlpFromMarkings([])).toBeNull()
    expect(tlpFromMarkings(['marking-definition--00000000-0000-4000-8000-000000000000'])).toBeNull()
  })
})
