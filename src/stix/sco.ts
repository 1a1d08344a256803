/**
 * The 18 STIX Cyber-observable Objects (STIX 2.1 section 6) and their predefined extensions.
 *
 * Definitions (zod schema + validator table) behind the public types and `validateStix`; the
 * package exports the inferred types, not these values.
 *
 * @internal
 */
import { z } from 'zod'
import { hashes } from './common.js'
import { defineObject } from './define.js'
import {
  domainNameProblem,
  isIpv4Cidr,
  isIpv6Cidr,
  isLanguageTag,
  isMac48,
  isUrl,
} from './formats.js'
import {
  bin,
  bool,
  checkOrder,
  dict,
  enumOf,
  float,
  hex,
  here,
  int,
  intOrStr,
  isJsonObject,
  list,
  mutuallyExclusive,
  nonNegative,
  obj,
  type Ctx,
  type Json,
  type Prop,
  ref,
  refs,
  report,
  req,
  requireOneOf,
  requiresWith,
  str,
  strList,
  ts,
  tsSeconds,
  typeError,
  vocab,
  show,
} from './props.js'
import {
  ACCOUNT_TYPE_OV,
  ENCRYPTION_ALGORITHM_ENUM,
  NETWORK_SOCKET_ADDRESS_FAMILY_ENUM,
  NETWORK_SOCKET_TYPE_ENUM,
  WINDOWS_INTEGRITY_LEVEL_ENUM,
  WINDOWS_PEBINARY_TYPE_OV,
  WINDOWS_REGISTRY_DATATYPE_ENUM,
  WINDOWS_SERVICE_START_TYPE_ENUM,
  WINDOWS_SERVICE_STATUS_ENUM,
  WINDOWS_SERVICE_TYPE_ENUM,
} from './vocabularies.js'

/** A string value checked by `test`; the message explains what is wrong. */
function formatted(
  code: string,
  section: string,
  test: (s: string) => string | undefined,
): Prop<z.ZodString, false> {
  return {
    zod: z.string(),
    required: false,
    check: (v, ctx) => {
      if (typeof v !== 'string') {
        typeError(ctx, 'a string', v)
        return
      }
      const problem = test(v)
      if (problem !== undefined) {
        report(ctx, 'error', code, section, `${here(ctx)} ${show(v)} ${problem}`)
      }
    },
  }
}

const to = (types: string[]): { types: string[]; label: string } => ({
  types,
  label: types.length === 1 ? `a ${types[0]}` : types.join(' or '),
})

const encodingRule =
  (...bases: string[]) =>
  (o: Json, ctx: Ctx): void => {
    for (const base of bases) requiresWith(o, ctx, `${base}_enc`, base, '3.1')
  }

const SCO_COMMON: ReadonlySet<string> = new Set([
  'type',
  'id',
  'spec_version',
  'object_marking_refs',
  'granular_markings',
  'defanged',
])

/** "At least one property (other than type) from this object (or its extensions)". */
function atLeastOneProperty(o: Json, ctx: Ctx, section: string, what: string): void {
  for (const k in o) if (!SCO_COMMON.has(k)) return
  report(
    ctx,
    'error',
    'at-least-one-property',
    section,
    `${what} must contain at least one of its own properties besides the common ones`,
  )
}

/** Artifact (section 6.1). */
export const artifactDefinition = defineObject(
  'artifact',
  'sco',
  '6.1',
  {
    mime_type: str,
    payload_bin: bin,
    url: formatted('url-value', '6.1.1', (s) => (isUrl(s) ? undefined : 'is not a valid URL')),
    hashes,
    encryption_algorithm: enumOf(ENCRYPTION_ALGORITHM_ENUM, 'encryption-algorithm-enum', '10.4'),
    decryption_key: str,
  },
  {
    rules: (o, ctx) => {
      mutuallyExclusive(o, ctx, 'payload_bin', 'url', '6.1.1')
      requireOneOf(o, ctx, ['payload_bin', 'url'], '6.1', 'artifact')
      if (o['url'] !== undefined && o['hashes'] === undefined) {
        report(ctx, 'error', 'property-dependency', '6.1.1', "'hashes' must be present with 'url'")
      }
      requiresWith(o, ctx, 'decryption_key', 'encryption_algorithm', '6.1.1')
    },
  },
)

/** Autonomous System (section 6.2). */
export const autonomousSystemDefinition = defineObject('autonomous-system', 'sco', '6.2', {
  number: req(int()),
  name: str,
  rir: str,
})

/** Directory (section 6.3). */
export const directoryDefinition = defineObject(
  'directory',
  'sco',
  '6.3',
  {
    path: req(str),
    path_enc: str,
    ctime: ts,
    mtime: ts,
    atime: ts,
    contains_refs: refs(to(['file', 'directory']), '6.3.1'),
  },
  { rules: encodingRule('path') },
)

/** Domain Name (section 6.4). */
export const domainNameDefinition = defineObject('domain-name', 'sco', '6.4', {
  value: req(formatted('domain-name-value', '6.4.1', domainNameProblem)),
  resolves_to_refs: refs(to(['ipv4-addr', 'ipv6-addr', 'domain-name']), '6.4.1'),
})

/** Email Address (section 6.5). */
export const emailAddrDefinition = defineObject('email-addr', 'sco', '6.5', {
  value: req(
    formatted('email-addr-value', '6.5.1', (s) =>
      s.includes('<') || s.includes('>')
        ? 'must not include a display name'
        : s.includes('@')
          ? undefined
          : 'is not an email address',
    ),
  ),
  display_name: str,
  belongs_to_ref: ref(to(['user-account']), '6.5.1'),
})

/** @internal */
export const mimePart = obj(
  'email-mime-part-type',
  {
    body: str,
    body_raw_ref: ref(to(['artifact', 'file']), '6.6.2'),
    content_type: str,
    content_disposition: str,
  },
  (o, ctx) => requireOneOf(o, ctx, ['body', 'body_raw_ref'], '6.6.2', `MIME part ${here(ctx)}`),
)

const emailAddrRef = ref(to(['email-addr']), '6.6.1')

/** Email Message (section 6.6). */
export const emailMessageDefinition = defineObject(
  'email-message',
  'sco',
  '6.6',
  {
    is_multipart: req(bool),
    date: ts,
    content_type: str,
    from_ref: emailAddrRef,
    sender_ref: emailAddrRef,
    to_refs: list(emailAddrRef),
    cc_refs: list(emailAddrRef),
    bcc_refs: list(emailAddrRef),
    message_id: str,
    subject: str,
    received_lines: strList,
    additional_header_fields: dict(strList),
    body: str,
    body_multipart: list(mimePart),
    raw_email_ref: ref(to(['artifact']), '6.6.1'),
  },
  {
    rules: (o, ctx) => {
      if (o['is_multipart'] === true && o['body'] !== undefined) {
        report(
          ctx,
          'error',
          'property-dependency',
          '6.6.1',
          "'body' must not be used when 'is_multipart' is true",
          'body',
        )
      }
      if (o['is_multipart'] === false && o['body_multipart'] !== undefined) {
        report(
          ctx,
          'error',
          'property-dependency',
          '6.6.1',
          "'body_multipart' must not be used when 'is_multipart' is false",
          'body_multipart',
        )
      }
    },
  },
)

const fileOrDirectory = refs(to(['file', 'directory']), '6.7.2')

/** @internal */
export const archiveExt = obj('archive-ext', { contains_refs: req(fileOrDirectory), comment: str })

/** @internal */
export const alternateDataStream = obj('alternate-data-stream-type', {
  name: req(str),
  hashes,
  size: nonNegative('6.7.3'),
})

/** @internal */
export const ntfsExt = obj(
  'ntfs-ext',
  { sid: str, alternate_data_streams: list(alternateDataStream) },
  undefined,
  '6.7.3',
)

/** @internal */
export const pdfExt = obj(
  'pdf-ext',
  {
    version: str,
    is_optimized: bool,
    document_info_dict: dict(str),
    pdfid0: str,
    pdfid1: str,
  },
  undefined,
  '6.7.4',
)

/** @internal */
export const rasterImageExt = obj(
  'raster-image-ext',
  {
    image_height: int(),
    image_width: int(),
    bits_per_pixel: int(),
    exif_tags: dict(intOrStr),
  },
  undefined,
  '6.7.5',
)

const nn = nonNegative('6.7.6')

/** @internal */
export const peOptionalHeader = obj(
  'windows-pe-optional-header-type',
  {
    magic_hex: hex,
    major_linker_version: int(),
    minor_linker_version: int(),
    size_of_code: nn,
    size_of_initialized_data: nn,
    size_of_uninitialized_data: nn,
    address_of_entry_point: int(),
    base_of_code: int(),
    base_of_data: int(),
    image_base: int(),
    section_alignment: int(),
    file_alignment: int(),
    major_os_version: int(),
    minor_os_version: int(),
    major_image_version: int(),
    minor_image_version: int(),
    major_subsystem_version: int(),
    minor_subsystem_version: int(),
    win32_version_value_hex: hex,
    size_of_image: nn,
    size_of_headers: nn,
    checksum_hex: hex,
    subsystem_hex: hex,
    dll_characteristics_hex: hex,
    size_of_stack_reserve: nn,
    size_of_stack_commit: nn,
    size_of_heap_reserve: nn,
    size_of_heap_commit: nn,
    loader_flags_hex: hex,
    number_of_rva_and_sizes: int(),
    hashes,
  },
  undefined,
  '6.7.6',
)

/** @internal */
export const peSection = obj('windows-pe-section-type', {
  name: req(str),
  size: nn,
  entropy: float(0, 8, '6.7.6'),
  hashes,
})

/** @internal */
export const peBinaryExt = obj(
  'windows-pebinary-ext',
  {
    pe_type: req(vocab(WINDOWS_PEBINARY_TYPE_OV, 'windows-pebinary-type-ov', '10.28')),
    imphash: str,
    machine_hex: hex,
    number_of_sections: int(),
    time_date_stamp: tsSeconds,
    pointer_to_symbol_table_hex: hex,
    number_of_symbols: int(),
    size_of_optional_header: nn,
    characteristics_hex: hex,
    file_header_hashes: hashes,
    optional_header: peOptionalHeader,
    sections: list(peSection),
  },
  (o, ctx) => {
    for (const k in o) if (k !== 'pe_type') return
    report(
      ctx,
      'error',
      'at-least-one-property',
      '6.7.6',
      "windows-pebinary-ext must contain a property besides 'pe_type'",
    )
  },
)

/** File (section 6.7) with archive, NTFS, PDF, raster image and PE binary extensions. */
export const fileDefinition = defineObject(
  'file',
  'sco',
  '6.7',
  {
    hashes,
    size: nonNegative('6.7.1'),
    name: str,
    name_enc: str,
    magic_number_hex: hex,
    mime_type: str,
    ctime: ts,
    mtime: ts,
    atime: ts,
    parent_directory_ref: ref(to(['directory']), '6.7.1'),
    contains_refs: refs({ family: 'any', label: 'a STIX object' }, '6.7.1'),
    content_ref: ref(to(['artifact']), '6.7.1'),
  },
  {
    extensions: {
      'archive-ext': archiveExt.table,
      'ntfs-ext': ntfsExt.table,
      'pdf-ext': pdfExt.table,
      'raster-image-ext': rasterImageExt.table,
      'windows-pebinary-ext': peBinaryExt.table,
    },
    rules: (o, ctx) => {
      requireOneOf(o, ctx, ['hashes', 'name'], '6.7', 'file')
      encodingRule('name')(o, ctx)
    },
  },
)

/** IPv4 Address (section 6.8). */
export const ipv4AddrDefinition = defineObject('ipv4-addr', 'sco', '6.8', {
  value: req(
    formatted('ipv4-addr-value', '6.8.1', (s) =>
      isIpv4Cidr(s) ? undefined : 'is not an IPv4 address or CIDR block',
    ),
  ),
  resolves_to_refs: refs(to(['mac-addr']), '6.8.1'),
  belongs_to_refs: refs(to(['autonomous-system']), '6.8.1'),
})

/** IPv6 Address (section 6.9). */
export const ipv6AddrDefinition = defineObject('ipv6-addr', 'sco', '6.9', {
  value: req(
    formatted('ipv6-addr-value', '6.9.1', (s) =>
      isIpv6Cidr(s) ? undefined : 'is not an IPv6 address or CIDR block',
    ),
  ),
  resolves_to_refs: refs(to(['mac-addr']), '6.9.1'),
  belongs_to_refs: refs(to(['autonomous-system']), '6.9.1'),
})

/** MAC Address (section 6.10). */
export const macAddrDefinition = defineObject('mac-addr', 'sco', '6.10', {
  value: req(
    formatted('mac-addr-value', '6.10.1', (s) =>
      isMac48(s) ? undefined : 'must be a lowercase, colon-delimited MAC-48 like 00:00:5e:00:53:01',
    ),
  ),
})

/** Mutex (section 6.11). */
export const mutexDefinition = defineObject('mutex', 'sco', '6.11', { name: req(str) })

const port = int(0, 65535, '6.12.1')

/** @internal */
export const httpRequestExt = obj('http-request-ext', {
  request_method: req(str),
  request_value: req(str),
  request_version: str,
  request_header: dict(strList),
  message_body_length: int(),
  message_body_data_ref: ref(to(['artifact']), '6.12.2'),
})

/** @internal */
export const icmpExt = obj('icmp-ext', { icmp_type_hex: req(hex), icmp_code_hex: req(hex) })

/** @internal */
export const socketExt = obj('socket-ext', {
  address_family: req(
    enumOf(NETWORK_SOCKET_ADDRESS_FAMILY_ENUM, 'network-socket-address-family-enum', '10.16'),
  ),
  is_blocking: bool,
  is_listening: bool,
  options: dict(int()),
  socket_type: enumOf(NETWORK_SOCKET_TYPE_ENUM, 'network-socket-type-enum', '10.17'),
  socket_descriptor: nonNegative('6.12.4'),
  socket_handle: int(),
})

/** @internal */
export const tcpExt = obj(
  'tcp-ext',
  { src_flags_hex: hex, dst_flags_hex: hex },
  undefined,
  '6.12.5',
)

const addressRef = ref(to(['ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name']), '6.12.1')
const networkTrafficRef = to(['network-traffic'])

/** The protocol each network-traffic extension corresponds to (6.12.2, 6.12.3, 6.12.5). */
const EXTENSION_PROTOCOLS = [
  ['http-request-ext', 'http'],
  ['icmp-ext', 'icmp'],
  ['tcp-ext', 'tcp'],
] as const

function networkTrafficRules(o: Json, ctx: Ctx): void {
  checkOrder(o, ctx, 'start', 'end', false, '6.12.1')
  if (o['is_active'] === true && o['end'] !== undefined) {
    report(
      ctx,
      'error',
      'property-dependency',
      '6.12.1',
      "'end' must not be present when 'is_active' is true",
      'end',
    )
  }
  requireOneOf(o, ctx, ['src_ref', 'dst_ref'], '6.12', 'network-traffic')
  const extensions = o['extensions']
  const protocols = o['protocols']
  if (!isJsonObject(extensions) || !Array.isArray(protocols)) return
  for (const [ext, protocol] of EXTENSION_PROTOCOLS) {
    if (extensions[ext] !== undefined && !protocols.includes(protocol)) {
      report(
        ctx,
        'warning',
        'extension-protocol',
        '6.12.1',
        `'protocols' should list '${protocol}' since the ${ext} extension is present`,
        'protocols',
      )
    }
  }
}

/** Network Traffic (section 6.12) with HTTP request, ICMP, socket and TCP extensions. */
export const networkTrafficDefinition = defineObject(
  'network-traffic',
  'sco',
  '6.12',
  {
    start: ts,
    end: ts,
    is_active: bool,
    src_ref: addressRef,
    dst_ref: addressRef,
    src_port: port,
    dst_port: port,
    protocols: req(strList),
    src_byte_count: nonNegative('6.12.1'),
    dst_byte_count: nonNegative('6.12.1'),
    src_packets: nonNegative('6.12.1'),
    dst_packets: nonNegative('6.12.1'),
    ipfix: dict(intOrStr),
    src_payload_ref: ref(to(['artifact']), '6.12.1'),
    dst_payload_ref: ref(to(['artifact']), '6.12.1'),
    encapsulates_refs: refs(networkTrafficRef, '6.12.1'),
    encapsulated_by_ref: ref(networkTrafficRef, '6.12.1'),
  },
  {
    extensions: {
      'http-request-ext': httpRequestExt.table,
      'icmp-ext': icmpExt.table,
      'socket-ext': socketExt.table,
      'tcp-ext': tcpExt.table,
    },
    rules: networkTrafficRules,
  },
)

/** @internal */
export const windowsProcessExt = obj(
  'windows-process-ext',
  {
    aslr_enabled: bool,
    dep_enabled: bool,
    priority: str,
    owner_sid: str,
    windows_title: str,
    startup_info: dict(),
    integrity_level: enumOf(WINDOWS_INTEGRITY_LEVEL_ENUM, 'windows-integrity-level-enum', '10.27'),
  },
  undefined,
  '6.13.2',
)

/** @internal */
export const windowsServiceExt = obj(
  'windows-service-ext',
  {
    service_name: str,
    descriptions: strList,
    display_name: str,
    group_name: str,
    start_type: enumOf(WINDOWS_SERVICE_START_TYPE_ENUM, 'windows-service-start-type-enum', '10.30'),
    service_dll_refs: refs(to(['file']), '6.13.3'),
    service_type: enumOf(WINDOWS_SERVICE_TYPE_ENUM, 'windows-service-type-enum', '10.31'),
    service_status: enumOf(WINDOWS_SERVICE_STATUS_ENUM, 'windows-service-status-enum', '10.32'),
  },
  undefined,
  '6.13.3',
)

/** Process (section 6.13) with Windows process and service extensions. */
export const processDefinition = defineObject(
  'process',
  'sco',
  '6.13',
  {
    is_hidden: bool,
    pid: int(),
    created_time: ts,
    cwd: str,
    command_line: str,
    environment_variables: dict(str),
    opened_connection_refs: refs(networkTrafficRef, '6.13.1'),
    creator_user_ref: ref(to(['user-account']), '6.13.1'),
    image_ref: ref(to(['file']), '6.13.1'),
    parent_ref: ref(to(['process']), '6.13.1'),
    child_refs: refs(to(['process']), '6.13.1'),
  },
  {
    extensions: {
      'windows-process-ext': windowsProcessExt.table,
      'windows-service-ext': windowsServiceExt.table,
    },
    rules: (o, ctx) => atLeastOneProperty(o, ctx, '6.13', 'process'),
  },
)

const languageList = list<z.ZodString>({
  zod: z.string(),
  required: false,
  check: (v, ctx) => {
    if (typeof v !== 'string') typeError(ctx, 'a language code', v)
    else if (!isLanguageTag(v)) {
      report(
        ctx,
        'error',
        'language-tag',
        '6.14.1',
        `${here(ctx)} must be an RFC 5646 language code`,
      )
    }
  },
})

/** Software (section 6.14). */
export const softwareDefinition = defineObject('software', 'sco', '6.14', {
  name: req(str),
  cpe: formatted('cpe-format', '6.14.1', (s) =>
    s.startsWith('cpe:2.3:') ? undefined : 'must be a CPE 2.3 name starting with cpe:2.3:',
  ),
  swid: str,
  languages: languageList,
  vendor: str,
  version: str,
})

/** URL (section 6.15). */
export const urlDefinition = defineObject('url', 'sco', '6.15', {
  value: req(
    formatted('url-value', '6.15.1', (s) =>
      isUrl(s) ? undefined : 'is not a valid URL (RFC 3986)',
    ),
  ),
})

/** @internal */
export const unixAccountExt = obj(
  'unix-account-ext',
  { gid: int(), groups: strList, home_dir: str, shell: str },
  undefined,
  '6.16.2',
)

/** User Account (section 6.16) with the UNIX account extension. */
export const userAccountDefinition = defineObject(
  'user-account',
  'sco',
  '6.16',
  {
    user_id: str,
    credential: str,
    account_login: str,
    account_type: vocab(ACCOUNT_TYPE_OV, 'account-type-ov', '10.1'),
    display_name: str,
    is_service_account: bool,
    is_privileged: bool,
    can_escalate_privs: bool,
    is_disabled: bool,
    account_created: ts,
    account_expires: ts,
    credential_last_changed: ts,
    account_first_login: ts,
    account_last_login: ts,
  },
  {
    extensions: { 'unix-account-ext': unixAccountExt.table },
    rules: (o, ctx) => atLeastOneProperty(o, ctx, '6.16', 'user-account'),
  },
)

/** @internal */
export const registryValue = obj(
  'windows-registry-value-type',
  {
    name: str,
    data: str,
    data_type: enumOf(WINDOWS_REGISTRY_DATATYPE_ENUM, 'windows-registry-datatype-enum', '10.29'),
  },
  undefined,
  '6.17.2',
)

const HIVE_ABBREVIATIONS = /^(HKLM|HKCU|HKCR|HKU|HKCC|HKPD)(\\|$)/i

/** Windows Registry Key (section 6.17). */
export const windowsRegistryKeyDefinition = defineObject(
  'windows-registry-key',
  'sco',
  '6.17',
  {
    key: formatted('registry-key-hive', '6.17.1', (s) =>
      HIVE_ABBREVIATIONS.test(s) ? 'must spell out the hive (e.g. HKEY_LOCAL_MACHINE)' : undefined,
    ),
    values: list(registryValue),
    modified_time: ts,
    creator_user_ref: ref(to(['user-account']), '6.17.1'),
    number_of_subkeys: nonNegative('6.17.1'),
  },
  { rules: (o, ctx) => atLeastOneProperty(o, ctx, '6.17', 'windows-registry-key') },
)

/** @internal */
export const x509V3Extensions = obj(
  'x509-v3-extensions-type',
  {
    basic_constraints: str,
    name_constraints: str,
    policy_constraints: str,
    key_usage: str,
    extended_key_usage: str,
    subject_key_identifier: str,
    authority_key_identifier: str,
    subject_alternative_name: str,
    issuer_alternative_name: str,
    subject_directory_attributes: str,
    crl_distribution_points: str,
    inhibit_any_policy: str,
    private_key_usage_period_not_before: ts,
    private_key_usage_period_not_after: ts,
    certificate_policies: str,
    policy_mappings: str,
  },
  undefined,
  '6.18.2',
)

/** X.509 Certificate (section 6.18). */
export const x509CertificateDefinition = defineObject(
  'x509-certificate',
  'sco',
  '6.18',
  {
    is_self_signed: bool,
    hashes,
    version: str,
    serial_number: str,
    signature_algorithm: str,
    issuer: str,
    validity_not_before: ts,
    validity_not_after: ts,
    subject: str,
    subject_public_key_algorithm: str,
    subject_public_key_modulus: str,
    subject_public_key_exponent: int(),
    x509_v3_extensions: x509V3Extensions,
  },
  {
    rules: (o, ctx) => atLeastOneProperty(o, ctx, '6.18', 'x509-certificate'),
  },
)
