/**
 * The STIX Cyber-observable Objects (STIX 2.1 section 6) as a table of property types, used
 * by `validatePattern` to warn about unknown types and properties and about comparisons
 * whose constant can never equal the property's value. Derived from the property tables of
 * sections 6.1–6.18, the common SCO properties (section 3.2) and the extensions and embedded
 * types defined there.
 */
import { META_TYPES, SCO_TYPES, SDO_TYPES, SRO_TYPES } from '../stix/type-names.js'

/** The type of one property value, as the property tables of section 6 give it. */
export type PropertyType =
  | { readonly kind: 'string' }
  | { readonly kind: 'integer' }
  | { readonly kind: 'float' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'binary' }
  | { readonly kind: 'hex' }
  /** `hashes`: keys from hash-algorithm-ov (section 10.7), values are strings. */
  | { readonly kind: 'hashes' }
  /** A dictionary whose keys are free-form. */
  | { readonly kind: 'dictionary' }
  /** `identifier` of an embedded relationship; `to` lists the SCO types it may reference. */
  | { readonly kind: 'ref'; readonly to: readonly string[] }
  | { readonly kind: 'list'; readonly of: PropertyType }
  /** An embedded type with named properties (e.g. `windows-pe-section-type`). */
  | { readonly kind: 'object'; readonly name: string; readonly properties: PropertyTable }
  /** `extensions`: known extension names map to their property tables. */
  | { readonly kind: 'extensions'; readonly known: ReadonlyMap<string, PropertyType> }

export type PropertyTable = ReadonlyMap<string, PropertyType>

const STRING: PropertyType = { kind: 'string' }
const INTEGER: PropertyType = { kind: 'integer' }
const FLOAT: PropertyType = { kind: 'float' }
const BOOLEAN: PropertyType = { kind: 'boolean' }
const TIMESTAMP: PropertyType = { kind: 'timestamp' }
const BINARY: PropertyType = { kind: 'binary' }
const HEX: PropertyType = { kind: 'hex' }
const HASHES: PropertyType = { kind: 'hashes' }
const DICTIONARY: PropertyType = { kind: 'dictionary' }
const IDENTIFIER: PropertyType = STRING
const ref = (...to: string[]): PropertyType => ({ kind: 'ref', to })
const list = (of: PropertyType): PropertyType => ({ kind: 'list', of })
const table = (entries: Record<string, PropertyType>): PropertyTable =>
  new Map(Object.entries(entries))
const object = (name: string, entries: Record<string, PropertyType>): PropertyType => ({
  kind: 'object',
  name,
  properties: table(entries),
})

/** The 18 SCO types of section 6. */
export const SCO_TYPE_NAMES: readonly string[] = SCO_TYPES

const ANY_SCO = SCO_TYPE_NAMES

// Granular marking type (section 7.2.3).
const GRANULAR_MARKING = object('granular-marking', {
  lang: STRING,
  marking_ref: IDENTIFIER,
  selectors: list(STRING),
})

function extensions(known: Record<string, Record<string, PropertyType>>): PropertyType {
  return {
    kind: 'extensions',
    known: new Map(Object.entries(known).map(([name, props]) => [name, object(name, props)])),
  }
}

/** Common properties of every SCO (section 3.2, "Optional Common Properties" of section 6). */
function sco(
  specific: Record<string, PropertyType>,
  exts: Record<string, Record<string, PropertyType>> = {},
): PropertyTable {
  return table({
    type: STRING,
    id: IDENTIFIER,
    spec_version: STRING,
    object_marking_refs: list(IDENTIFIER),
    granular_markings: list(GRANULAR_MARKING),
    defanged: BOOLEAN,
    extensions: extensions(exts),
    ...specific,
  })
}

// 6.7.3.2, 6.7.6.2, 6.7.6.3
const ALTERNATE_DATA_STREAM = object('alternate-data-stream-type', {
  name: STRING,
  hashes: HASHES,
  size: INTEGER,
})
const PE_OPTIONAL_HEADER = object('windows-pe-optional-header-type', {
  magic_hex: HEX,
  major_linker_version: INTEGER,
  minor_linker_version: INTEGER,
  size_of_code: INTEGER,
  size_of_initialized_data: INTEGER,
  size_of_uninitialized_data: INTEGER,
  address_of_entry_point: INTEGER,
  base_of_code: INTEGER,
  base_of_data: INTEGER,
  image_base: INTEGER,
  section_alignment: INTEGER,
  file_alignment: INTEGER,
  major_os_version: INTEGER,
  minor_os_version: INTEGER,
  major_image_version: INTEGER,
  minor_image_version: INTEGER,
  major_subsystem_version: INTEGER,
  minor_subsystem_version: INTEGER,
  win32_version_value_hex: HEX,
  size_of_image: INTEGER,
  size_of_headers: INTEGER,
  checksum_hex: HEX,
  subsystem_hex: HEX,
  dll_characteristics_hex: HEX,
  size_of_stack_reserve: INTEGER,
  size_of_stack_commit: INTEGER,
  size_of_heap_reserve: INTEGER,
  size_of_heap_commit: INTEGER,
  loader_flags_hex: HEX,
  number_of_rva_and_sizes: INTEGER,
  hashes: HASHES,
})
const PE_SECTION = object('windows-pe-section-type', {
  name: STRING,
  size: INTEGER,
  entropy: FLOAT,
  hashes: HASHES,
})

/** Property tables of the 18 SCOs, keyed by type name (sections 6.1–6.18). */
export const SCO_PROPERTIES: ReadonlyMap<string, PropertyTable> = new Map([
  [
    'artifact',
    sco({
      mime_type: STRING,
      payload_bin: BINARY,
      url: STRING,
      hashes: HASHES,
      encryption_algorithm: STRING,
      decryption_key: STRING,
    }),
  ],
  ['autonomous-system', sco({ number: INTEGER, name: STRING, rir: STRING })],
  [
    'directory',
    sco({
      path: STRING,
      path_enc: STRING,
      ctime: TIMESTAMP,
      mtime: TIMESTAMP,
      atime: TIMESTAMP,
      contains_refs: list(ref('file', 'directory')),
    }),
  ],
  [
    'domain-name',
    sco({ value: STRING, resolves_to_refs: list(ref('ipv4-addr', 'ipv6-addr', 'domain-name')) }),
  ],
  ['email-addr', sco({ value: STRING, display_name: STRING, belongs_to_ref: ref('user-account') })],
  [
    'email-message',
    sco({
      is_multipart: BOOLEAN,
      date: TIMESTAMP,
      content_type: STRING,
      from_ref: ref('email-addr'),
      sender_ref: ref('email-addr'),
      to_refs: list(ref('email-addr')),
      cc_refs: list(ref('email-addr')),
      bcc_refs: list(ref('email-addr')),
      message_id: STRING,
      subject: STRING,
      received_lines: list(STRING),
      additional_header_fields: DICTIONARY,
      body: STRING,
      body_multipart: list(
        object('email-mime-part-type', {
          body: STRING,
          body_raw_ref: ref('artifact', 'file'),
          content_type: STRING,
          content_disposition: STRING,
        }),
      ),
      raw_email_ref: ref('artifact'),
    }),
  ],
  [
    'file',
    sco(
      {
        hashes: HASHES,
        size: INTEGER,
        name: STRING,
        name_enc: STRING,
        magic_number_hex: HEX,
        mime_type: STRING,
        ctime: TIMESTAMP,
        mtime: TIMESTAMP,
        atime: TIMESTAMP,
        parent_directory_ref: ref('directory'),
        contains_refs: list(ref(...ANY_SCO)),
        content_ref: ref('artifact'),
      },
      {
        'archive-ext': { contains_refs: list(ref('file', 'directory')), comment: STRING },
        'ntfs-ext': { sid: STRING, alternate_data_streams: list(ALTERNATE_DATA_STREAM) },
        'pdf-ext': {
          version: STRING,
          is_optimized: BOOLEAN,
          document_info_dict: DICTIONARY,
          pdfid0: STRING,
          pdfid1: STRING,
        },
        'raster-image-ext': {
          image_height: INTEGER,
          image_width: INTEGER,
          bits_per_pixel: INTEGER,
          exif_tags: DICTIONARY,
        },
        'windows-pebinary-ext': {
          pe_type: STRING,
          imphash: STRING,
          machine_hex: HEX,
          number_of_sections: INTEGER,
          time_date_stamp: TIMESTAMP,
          pointer_to_symbol_table_hex: HEX,
          number_of_symbols: INTEGER,
          size_of_optional_header: INTEGER,
          characteristics_hex: HEX,
          file_header_hashes: HASHES,
          optional_header: PE_OPTIONAL_HEADER,
          sections: list(PE_SECTION),
        },
      },
    ),
  ],
  [
    'ipv4-addr',
    sco({
      value: STRING,
      resolves_to_refs: list(ref('mac-addr')),
      belongs_to_refs: list(ref('autonomous-system')),
    }),
  ],
  [
    'ipv6-addr',
    sco({
      value: STRING,
      resolves_to_refs: list(ref('mac-addr')),
      belongs_to_refs: list(ref('autonomous-system')),
    }),
  ],
  ['mac-addr', sco({ value: STRING })],
  ['mutex', sco({ name: STRING })],
  [
    'network-traffic',
    sco(
      {
        start: TIMESTAMP,
        end: TIMESTAMP,
        is_active: BOOLEAN,
        src_ref: ref('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'),
        dst_ref: ref('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'),
        src_port: INTEGER,
        dst_port: INTEGER,
        protocols: list(STRING),
        src_byte_count: INTEGER,
        dst_byte_count: INTEGER,
        src_packets: INTEGER,
        dst_packets: INTEGER,
        ipfix: DICTIONARY,
        src_payload_ref: ref('artifact'),
        dst_payload_ref: ref('artifact'),
        encapsulates_refs: list(ref('network-traffic')),
        encapsulated_by_ref: ref('network-traffic'),
      },
      {
        'http-request-ext': {
          request_method: STRING,
          request_value: STRING,
          request_version: STRING,
          request_header: DICTIONARY,
          message_body_length: INTEGER,
          message_body_data_ref: ref('artifact'),
        },
        'icmp-ext': { icmp_type_hex: HEX, icmp_code_hex: HEX },
        'socket-ext': {
          address_family: STRING,
          is_blocking: BOOLEAN,
          is_listening: BOOLEAN,
          options: DICTIONARY,
          socket_type: STRING,
          socket_descriptor: INTEGER,
          socket_handle: INTEGER,
        },
        'tcp-ext': { src_flags_hex: HEX, dst_flags_hex: HEX },
      },
    ),
  ],
  [
    'process',
    sco(
      {
        is_hidden: BOOLEAN,
        pid: INTEGER,
        created_time: TIMESTAMP,
        cwd: STRING,
        command_line: STRING,
        environment_variables: DICTIONARY,
        opened_connection_refs: list(ref('network-traffic')),
        creator_user_ref: ref('user-account'),
        image_ref: ref('file'),
        parent_ref: ref('process'),
        child_refs: list(ref('process')),
      },
      {
        'windows-process-ext': {
          aslr_enabled: BOOLEAN,
          dep_enabled: BOOLEAN,
          priority: STRING,
          owner_sid: STRING,
          windows_title: STRING,
          startup_info: DICTIONARY,
          integrity_level: STRING,
        },
        'windows-service-ext': {
          service_name: STRING,
          descriptions: list(STRING),
          display_name: STRING,
          group_name: STRING,
          start_type: STRING,
          service_dll_refs: list(ref('file')),
          service_type: STRING,
          service_status: STRING,
        },
      },
    ),
  ],
  [
    'software',
    sco({
      name: STRING,
      cpe: STRING,
      swid: STRING,
      languages: list(STRING),
      vendor: STRING,
      version: STRING,
    }),
  ],
  ['url', sco({ value: STRING })],
  [
    'user-account',
    sco(
      {
        user_id: STRING,
        credential: STRING,
        account_login: STRING,
        account_type: STRING,
        display_name: STRING,
        is_service_account: BOOLEAN,
        is_privileged: BOOLEAN,
        can_escalate_privs: BOOLEAN,
        is_disabled: BOOLEAN,
        account_created: TIMESTAMP,
        account_expires: TIMESTAMP,
        credential_last_changed: TIMESTAMP,
        account_first_login: TIMESTAMP,
        account_last_login: TIMESTAMP,
      },
      {
        'unix-account-ext': { gid: INTEGER, groups: list(STRING), home_dir: STRING, shell: STRING },
      },
    ),
  ],
  [
    'windows-registry-key',
    sco({
      key: STRING,
      values: list(
        object('windows-registry-value-type', { name: STRING, data: STRING, data_type: STRING }),
      ),
      modified_time: TIMESTAMP,
      creator_user_ref: ref('user-account'),
      number_of_subkeys: INTEGER,
    }),
  ],
  [
    'x509-certificate',
    sco({
      is_self_signed: BOOLEAN,
      hashes: HASHES,
      version: STRING,
      serial_number: STRING,
      signature_algorithm: STRING,
      issuer: STRING,
      validity_not_before: TIMESTAMP,
      validity_not_after: TIMESTAMP,
      subject: STRING,
      subject_public_key_algorithm: STRING,
      subject_public_key_modulus: STRING,
      subject_public_key_exponent: INTEGER,
      x509_v3_extensions: object('x509-v3-extensions-type', {
        basic_constraints: STRING,
        name_constraints: STRING,
        policy_constraints: STRING,
        key_usage: STRING,
        extended_key_usage: STRING,
        subject_key_identifier: STRING,
        authority_key_identifier: STRING,
        subject_alternative_name: STRING,
        issuer_alternative_name: STRING,
        subject_directory_attributes: STRING,
        crl_distribution_points: STRING,
        inhibit_any_policy: STRING,
        private_key_usage_period_not_before: TIMESTAMP,
        private_key_usage_period_not_after: TIMESTAMP,
        certificate_policies: STRING,
        policy_mappings: STRING,
      }),
    }),
  ],
])

/**
 * Hash algorithms of hash-algorithm-ov (section 10.7) with the hex length of their digest
 * (`undefined` for the fuzzy hashes, whose length varies).
 */
export const HASH_ALGORITHMS: ReadonlyMap<string, number | undefined> = new Map([
  ['MD5', 32],
  ['SHA-1', 40],
  ['SHA-256', 64],
  ['SHA-512', 128],
  ['SHA3-256', 64],
  ['SHA3-512', 128],
  ['SSDEEP', undefined],
  ['TLSH', undefined],
])

/** The STIX Domain, Relationship and Meta object types (and `bundle`), which patterns cannot match. */
export const NON_SCO_TYPES: ReadonlySet<string> = new Set([
  ...SDO_TYPES,
  ...SRO_TYPES,
  ...META_TYPES,
  'bundle',
])
