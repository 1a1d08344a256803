/**
 * The well-known Traffic Light Protocol marking definitions: TLP 1.0 as printed in STIX 2.1
 * section 7.2.1 (TLP Marking Object Type), and TLP 2.0 as published by OASIS in
 * `cti-stix-common-objects` (the extension definition and its five markings). These ids are
 * shared by the whole community: refer to them, never mint your own.
 */

/** TLP 1.0 marking-definition ids (STIX 2.1 section 7.2.1). */
export const TLP1_WHITE_ID = 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'
/** TLP 1.0 GREEN. */
export const TLP1_GREEN_ID = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'
/** TLP 1.0 AMBER. */
export const TLP1_AMBER_ID = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'
/** TLP 1.0 RED. */
export const TLP1_RED_ID = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'

/** The TLP 2.0 extension definition id. */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'
/** TLP 2.0 CLEAR. */
export const TLP2_CLEAR_ID = 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'
/** TLP 2.0 GREEN. */
export const TLP2_GREEN_ID = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
/** TLP 2.0 AMBER. */
export const TLP2_AMBER_ID = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
/** TLP 2.0 AMBER+STRICT. */
export const TLP2_AMBER_STRICT_ID = 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'
/** TLP 2.0 RED. */
export const TLP2_RED_ID = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'

/** A TLP 1.0 level (section 7.2.1). */
export type Tlp1Level = 'white' | 'green' | 'amber' | 'red'
/** A TLP 2.0 level, as the value of the extension's `tlp_2_0` property. */
export type Tlp2Level = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red'

/** A TLP 1.0 marking definition exactly as section 7.2.1 prints it. */
export interface Tlp1MarkingDefinition {
  readonly type: 'marking-definition'
  readonly spec_version: '2.1'
  readonly id: string
  readonly created: '2017-01-20T00:00:00.000Z'
  readonly definition_type: 'tlp'
  readonly name: string
  readonly definition: { readonly tlp: Tlp1Level }
}

/** A TLP 2.0 marking definition exactly as OASIS publishes it. */
export interface Tlp2MarkingDefinition {
  readonly type: 'marking-definition'
  readonly spec_version: '2.1'
  readonly id: string
  readonly created: '2022-10-01T00:00:00.000Z'
  readonly name: string
  readonly extensions: {
    readonly [TLP2_EXTENSION_ID]: {
      readonly extension_type: 'property-extension'
      readonly tlp_2_0: Tlp2Level
    }
  }
}

function tlp1(id: string, level: Tlp1Level): Tlp1MarkingDefinition {
  return Object.freeze({
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created: '2017-01-20T00:00:00.000Z',
    definition_type: 'tlp',
    name: `TLP:${level.toUpperCase()}`,
    definition: Object.freeze({ tlp: level }),
  })
}

function tlp2(id: string, level: Tlp2Level): Tlp2MarkingDefinition {
  return Object.freeze({
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level.toUpperCase()}`,
    extensions: Object.freeze({
      [TLP2_EXTENSION_ID]: Object.freeze({
        extension_type: 'property-extension',
        tlp_2_0: level,
      }),
    }),
  })
}

/** The four TLP 1.0 marking definitions, by level. */
export const TLP1_MARKINGS: Readonly<Record<Tlp1Level, Tlp1MarkingDefinition>> = Object.freeze({
  white: tlp1(TLP1_WHITE_ID, 'white'),
  green: tlp1(TLP1_GREEN_ID, 'green'),
  amber: tlp1(TLP1_AMBER_ID, 'amber'),
  red: tlp1(TLP1_RED_ID, 'red'),
})

/** The five TLP 2.0 marking definitions, by level. */
export const TLP2_MARKINGS: Readonly<Record<Tlp2Level, Tlp2MarkingDefinition>> = Object.freeze({
  clear: tlp2(TLP2_CLEAR_ID, 'clear'),
  green: tlp2(TLP2_GREEN_ID, 'green'),
  amber: tlp2(TLP2_AMBER_ID, 'amber'),
  'amber+strict': tlp2(TLP2_AMBER_STRICT_ID, 'amber+strict'),
  red: tlp2(TLP2_RED_ID, 'red'),
})

/** The TLP 2.0 extension definition as OASIS publishes it. */
export const TLP2_EXTENSION_DEFINITION = Object.freeze({
  id: TLP2_EXTENSION_ID,
  type: 'extension-definition',
  spec_version: '2.1',
  name: 'TLP 2.0',
  description: 'This defines TLP 2.0 as a STIX extension',
  created: '2022-10-01T00:00:00.000Z',
  modified: '2022-10-01T00:00:00.000Z',
  created_by_ref: 'identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01',
  schema:
    'https://github.com/oasis-open/cti-stix-common-objects/tree/master/extension-definition-specifications/tlp-2.0',
  version: '1.0.0',
  extension_types: Object.freeze(['property-extension'] as const),
} as const)

/**
 * The TLP level a marking-definition id stands for, or `undefined` when the id is not one of
 * the nine well-known TLP markings.
 *
 * @example
 * tlpLevelOf(TLP2_AMBER_STRICT_ID) // { version: 2, level: 'amber+strict' }
 */
export function tlpLevelOf(
  markingId: string,
): { version: 1; level: Tlp1Level } | { version: 2; level: Tlp2Level } | undefined {
  for (const [level, m] of Object.entries(TLP1_MARKINGS)) {
    if (m.id === markingId) return { version: 1, level: level as Tlp1Level }
  }
  for (const [level, m] of Object.entries(TLP2_MARKINGS)) {
    if (m.id === markingId) return { version: 2, level: level as Tlp2Level }
  }
  return undefined
}
