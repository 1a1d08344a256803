import { describe, expect, it } from 'vitest'
import {
  ARTIFACT_ID,
  EMAIL_ADDR_ID,
  FILE_ID,
  IPV4_ID,
  makeArtifact,
  makeAutonomousSystem,
  makeDirectory,
  makeDomainName,
  makeEmailAddr,
  makeEmailMessage,
  makeFile,
  makeIpv4Addr,
  makeIpv6Addr,
  makeMacAddr,
  makeMutex,
  makeNetworkTraffic,
  makeProcess,
  makeSoftware,
  makeUrl,
  makeUserAccount,
  makeWindowsRegistryKey,
  makeX509Certificate,
} from '../../test/fixtures/stix/builders.js'
import { findings } from '../../test/fixtures/stix/findings.js'
import { validateStix } from './index.js'

const check = (o: unknown): string[] => findings(validateStix(o))

describe('artifact (6.1)', () => {
  it('requires payload_bin or url, not both', () => {
    // Without payload_bin no ID contributing property is left, so the v5 id is wrong too (2.9).
    expect(check(makeArtifact({ payload_bin: undefined }))).toEqual([
      'error required-one-of $',
      'error uuid-version $.id',
    ])
    expect(
      check(
        makeArtifact({
          url: 'https://example.com/a.jpg',
          hashes: { MD5: '3773a88f65a5e780c8dff9cdc3a056f3' },
        }),
      ),
    ).toEqual(['error mutually-exclusive $.url'])
  })

  it('requires hashes with url', () => {
    expect(
      check(makeArtifact({ payload_bin: undefined, url: 'https://example.com/a.jpg' })),
    ).toEqual(['error property-dependency $', 'error uuid-version $.id'])
  })

  it('requires base64 payload_bin and a known encryption algorithm', () => {
    expect(check(makeArtifact({ payload_bin: 'not base64!' }))).toEqual([
      'error binary-format $.payload_bin',
    ])
    expect(check(makeArtifact({ encryption_algorithm: 'ROT13' }))).toEqual([
      'error enum-value $.encryption_algorithm',
    ])
  })

  it('forbids decryption_key without encryption_algorithm', () => {
    expect(check(makeArtifact({ decryption_key: 'secret' }))).toEqual([
      'error property-dependency $.decryption_key',
    ])
    expect(
      check(makeArtifact({ decryption_key: 'secret', encryption_algorithm: 'AES-256-GCM' })),
    ).toEqual([])
  })
})

describe('autonomous-system (6.2)', () => {
  it('requires an integer number', () => {
    expect(check(makeAutonomousSystem({ number: '15139' }))).toEqual([
      'error property-type $.number',
    ])
  })
})

describe('directory (6.3)', () => {
  it('requires contains_refs to file or directory and path for path_enc (3.1)', () => {
    expect(check(makeDirectory({ contains_refs: [FILE_ID, IPV4_ID] }))).toEqual([
      'error reference-type $.contains_refs[1]',
    ])
    expect(check(makeDirectory({ path: undefined, path_enc: 'windows-1252' }))).toEqual([
      'error required-property $.path',
      'error property-dependency $.path_enc',
    ])
  })
})

describe('domain-name (6.4)', () => {
  it.each([
    'example.com',
    'xn--bcher-kva.example',
    'bücher.example',
    '_dmarc.example.com',
    'a.b.c.',
  ])('accepts %s', (value) => {
    expect(check(makeDomainName({ value }))).toEqual([])
  })

  it.each(['exa mple.com', 'a..b', '-a.com', 'a'.repeat(64) + '.com', 'http://example.com'])(
    'reports %s',
    (value) => {
      expect(check(makeDomainName({ value }))).toEqual(['error domain-name-value $.value'])
    },
  )

  it('limits resolves_to_refs to addresses and domain names', () => {
    expect(check(makeDomainName({ resolves_to_refs: [IPV4_ID, FILE_ID] }))).toEqual([
      'error reference-type $.resolves_to_refs[1]',
    ])
  })
})

describe('email-addr (6.5)', () => {
  it('forbids the display name inside value', () => {
    expect(check(makeEmailAddr({ value: 'John Doe <john@example.com>' }))).toEqual([
      'error email-addr-value $.value',
    ])
  })

  it('requires belongs_to_ref to a user-account', () => {
    expect(check(makeEmailAddr({ belongs_to_ref: FILE_ID }))).toEqual([
      'error reference-type $.belongs_to_ref',
    ])
  })
})

describe('email-message (6.6)', () => {
  it('requires is_multipart', () => {
    expect(check(makeEmailMessage({ is_multipart: undefined }))).toEqual([
      'error required-property $.is_multipart',
    ])
  })

  it('forbids body when multipart and body_multipart when not', () => {
    expect(check(makeEmailMessage({ is_multipart: true }))).toEqual([
      'error property-dependency $.body',
    ])
    expect(check(makeEmailMessage({ body: undefined, body_multipart: [{ body: 'x' }] }))).toEqual([
      'error property-dependency $.body_multipart',
    ])
  })

  it('requires body or body_raw_ref in each MIME part (6.6.2)', () => {
    expect(
      check(
        makeEmailMessage({
          is_multipart: true,
          body: undefined,
          body_multipart: [{ content_type: 'text/plain' }, { body_raw_ref: ARTIFACT_ID }],
        }),
      ),
    ).toEqual(['error required-one-of $.body_multipart[0]'])
  })

  it('requires email-addr references and lists of strings in additional_header_fields', () => {
    expect(check(makeEmailMessage({ to_refs: [EMAIL_ADDR_ID, FILE_ID] }))).toEqual([
      'error reference-type $.to_refs[1]',
    ])
    expect(check(makeEmailMessage({ additional_header_fields: { Reply_To: 'x' } }))).toEqual([
      'error property-type $.additional_header_fields.Reply_To',
    ])
  })
})

describe('file (6.7)', () => {
  it('requires hashes or name', () => {
    expect(check(makeFile({ name: undefined, hashes: undefined, size: 10 }))).toEqual([
      'error required-one-of $',
      'error uuid-version $.id',
    ])
  })

  it('forbids a negative size and name_enc without name', () => {
    expect(check(makeFile({ size: -1 }))).toEqual(['error integer-range $.size'])
    expect(check(makeFile({ name: undefined, name_enc: 'windows-1252' }))).toEqual([
      'error property-dependency $.name_enc',
    ])
  })

  it('requires lowercase even-length hex in magic_number_hex (2.8)', () => {
    expect(check(makeFile({ magic_number_hex: 'FFD8' }))).toEqual([
      'error hex-format $.magic_number_hex',
    ])
    expect(check(makeFile({ magic_number_hex: 'ffd' }))).toEqual([
      'error hex-format $.magic_number_hex',
    ])
  })

  it('checks reference types', () => {
    expect(check(makeFile({ parent_directory_ref: FILE_ID }))).toEqual([
      'error reference-type $.parent_directory_ref',
    ])
    expect(check(makeFile({ content_ref: FILE_ID }))).toEqual([
      'error reference-type $.content_ref',
    ])
  })

  it('validates archive-ext (6.7.2)', () => {
    expect(check(makeFile({ extensions: { 'archive-ext': { comment: 'x' } } }))).toEqual([
      'error required-property $.extensions.archive-ext.contains_refs',
    ])
    expect(
      check(makeFile({ extensions: { 'archive-ext': { contains_refs: [IPV4_ID] } } })),
    ).toEqual(['error reference-type $.extensions.archive-ext.contains_refs[0]'])
  })

  it('validates ntfs-ext alternate data streams (6.7.3)', () => {
    expect(
      check(makeFile({ extensions: { 'ntfs-ext': { alternate_data_streams: [{ size: 5 }] } } })),
    ).toEqual(['error required-property $.extensions.ntfs-ext.alternate_data_streams[0].name'])
  })

  it('requires at least one property in pdf-ext and raster-image-ext', () => {
    expect(check(makeFile({ extensions: { 'pdf-ext': {} } }))).toEqual([
      'error at-least-one-property $.extensions.pdf-ext',
    ])
    expect(
      check(makeFile({ extensions: { 'raster-image-ext': { exif_tags: { Make: 1.5 } } } })),
    ).toEqual(['error property-type $.extensions.raster-image-ext.exif_tags.Make'])
  })

  it('validates windows-pebinary-ext (6.7.6)', () => {
    expect(check(makeFile({ extensions: { 'windows-pebinary-ext': { pe_type: 'exe' } } }))).toEqual(
      ['error at-least-one-property $.extensions.windows-pebinary-ext'],
    )
    expect(
      check(
        makeFile({
          extensions: {
            'windows-pebinary-ext': {
              pe_type: 'exe',
              time_date_stamp: '2016-01-22T12:31:12.500Z',
              optional_header: {},
              sections: [{ name: '.text', entropy: 9 }],
            },
          },
        }),
      ),
    ).toEqual([
      'error timestamp-precision $.extensions.windows-pebinary-ext.time_date_stamp',
      'error at-least-one-property $.extensions.windows-pebinary-ext.optional_header',
      'error number-range $.extensions.windows-pebinary-ext.sections[0].entropy',
    ])
  })
})

describe('ipv4-addr (6.8)', () => {
  it.each(['198.51.100.3', '198.51.100.0/24', '0.0.0.0/0', '255.255.255.255/32'])(
    'accepts %s',
    (value) => {
      expect(check(makeIpv4Addr({ value }))).toEqual([])
    },
  )

  it.each([
    '198.51.100',
    '198.51.100.256',
    '198.51.100.0/33',
    '01.2.3.4',
    '1.2.3.4/',
    'a.b.c.d',
    '::1',
  ])('reports %s', (value) => {
    expect(check(makeIpv4Addr({ value }))).toEqual(['error ipv4-addr-value $.value'])
  })

  it('limits resolves_to_refs to mac-addr and belongs_to_refs to autonomous-system', () => {
    expect(check(makeIpv4Addr({ resolves_to_refs: [IPV4_ID] }))).toEqual([
      'error reference-type $.resolves_to_refs[0]',
    ])
    expect(check(makeIpv4Addr({ belongs_to_refs: [IPV4_ID] }))).toEqual([
      'error reference-type $.belongs_to_refs[0]',
    ])
  })
})

describe('ipv6-addr (6.9)', () => {
  it.each([
    '::',
    '::1',
    '2001:db8::/32',
    'fe80::1:2',
    '::ffff:192.0.2.128',
    '2001:0db8:0000:0000:0000:ff00:0042:8329',
  ])('accepts %s', (value) => {
    expect(check(makeIpv6Addr({ value }))).toEqual([])
  })

  it.each([
    '2001:db8::1::2',
    '12345::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '::/129',
    '198.51.100.3',
    ':1:2',
  ])('reports %s', (value) => {
    expect(check(makeIpv6Addr({ value }))).toEqual(['error ipv6-addr-value $.value'])
  })
})

describe('mac-addr (6.10)', () => {
  it.each(['D2:FB:49:24:37:18', 'd2-fb-49-24-37-18', 'd2:fb:49:24:37', '2:fb:49:24:37:18'])(
    'reports %s (lowercase, colons, leading zeros)',
    (value) => {
      expect(check(makeMacAddr({ value }))).toEqual(['error mac-addr-value $.value'])
    },
  )
})

describe('mutex (6.11)', () => {
  it('requires name', () => {
    expect(check(makeMutex({ name: undefined }))).toEqual(['error required-property $.name'])
  })
})

describe('network-traffic (6.12)', () => {
  it('requires protocols and one of src_ref or dst_ref', () => {
    expect(check(makeNetworkTraffic({ protocols: undefined }))).toEqual([
      'error required-property $.protocols',
    ])
    expect(check(makeNetworkTraffic({ src_ref: undefined }))).toEqual(['error required-one-of $'])
  })

  it('checks port ranges and address reference types', () => {
    expect(check(makeNetworkTraffic({ dst_port: 65536 }))).toEqual([
      'error integer-range $.dst_port',
    ])
    expect(check(makeNetworkTraffic({ dst_ref: FILE_ID }))).toEqual([
      'error reference-type $.dst_ref',
    ])
  })

  it('forbids end when is_active and requires end >= start', () => {
    expect(check(makeNetworkTraffic({ is_active: true, end: '2016-04-06T20:03:48Z' }))).toEqual([
      'error property-dependency $.end',
    ])
    expect(
      check(makeNetworkTraffic({ start: '2016-04-06T20:03:48Z', end: '2016-04-06T20:03:47Z' })),
    ).toEqual(['error timestamp-order $.end'])
  })

  it('validates ipfix values as integers or strings', () => {
    expect(check(makeNetworkTraffic({ ipfix: { minimumIpTotalLength: 32, x: true } }))).toEqual([
      'error property-type $.ipfix.x',
    ])
  })

  it('warns when the protocol of an extension is missing from protocols (6.12.1)', () => {
    expect(
      check(
        makeNetworkTraffic({
          extensions: { 'icmp-ext': { icmp_type_hex: '08', icmp_code_hex: '00' } },
        }),
      ),
    ).toEqual(['warning extension-protocol $.protocols'])
    expect(
      check(
        makeNetworkTraffic({
          protocols: ['ipv4', 'icmp'],
          extensions: { 'icmp-ext': { icmp_type_hex: '08', icmp_code_hex: '00' } },
        }),
      ),
    ).toEqual([])
  })

  it('validates http-request-ext, icmp-ext, socket-ext and tcp-ext', () => {
    const ALL = ['ipv4', 'tcp', 'http', 'icmp']
    expect(
      check(
        makeNetworkTraffic({
          protocols: ALL,
          extensions: { 'http-request-ext': { request_method: 'get' } },
        }),
      ),
    ).toEqual(['error required-property $.extensions.http-request-ext.request_value'])
    expect(
      check(
        makeNetworkTraffic({
          protocols: ALL,
          extensions: {
            'http-request-ext': {
              request_method: 'get',
              request_value: '/',
              request_header: { Host: 'a' },
            },
          },
        }),
      ),
    ).toEqual(['error property-type $.extensions.http-request-ext.request_header.Host'])
    expect(
      check(
        makeNetworkTraffic({
          protocols: ALL,
          extensions: { 'icmp-ext': { icmp_type_hex: '08', icmp_code_hex: '0' } },
        }),
      ),
    ).toEqual(['error hex-format $.extensions.icmp-ext.icmp_code_hex'])
    expect(
      check(
        makeNetworkTraffic({
          protocols: ALL,
          extensions: { 'socket-ext': { address_family: 'AF_INET', socket_type: 'SOCK_FOO' } },
        }),
      ),
    ).toEqual(['error enum-value $.extensions.socket-ext.socket_type'])
    expect(check(makeNetworkTraffic({ protocols: ALL, extensions: { 'tcp-ext': {} } }))).toEqual([
      'error at-least-one-property $.extensions.tcp-ext',
    ])
  })
})

describe('process (6.13)', () => {
  it('requires at least one property of its own', () => {
    expect(check(makeProcess({ pid: undefined, command_line: undefined }))).toEqual([
      'error at-least-one-property $',
    ])
    expect(
      check(
        makeProcess({
          pid: undefined,
          command_line: undefined,
          extensions: { 'windows-process-ext': { aslr_enabled: true } },
        }),
      ),
    ).toEqual([])
  })

  it('checks reference types and windows extensions', () => {
    expect(check(makeProcess({ image_ref: IPV4_ID }))).toEqual(['error reference-type $.image_ref'])
    expect(
      check(makeProcess({ extensions: { 'windows-process-ext': { integrity_level: 'ultra' } } })),
    ).toEqual(['error enum-value $.extensions.windows-process-ext.integrity_level'])
    expect(
      check(
        makeProcess({
          extensions: {
            'windows-service-ext': {
              start_type: 'SERVICE_AUTO_START',
              service_dll_refs: [IPV4_ID],
            },
          },
        }),
      ),
    ).toEqual(['error reference-type $.extensions.windows-service-ext.service_dll_refs[0]'])
  })
})

describe('software (6.14)', () => {
  it('requires CPE 2.3 names and RFC 5646 languages', () => {
    expect(check(makeSoftware({ cpe: 'cpe:/a:microsoft:word:2000' }))).toEqual([
      'error cpe-format $.cpe',
    ])
    expect(check(makeSoftware({ languages: ['en', 'not a tag'] }))).toEqual([
      'error language-tag $.languages[1]',
    ])
  })
})

describe('url (6.15)', () => {
  it.each(['example.com/index.html', 'https://exa mple.com', 'https:'])('reports %s', (value) => {
    expect(check(makeUrl({ value }))).toEqual(['error url-value $.value'])
  })
})

describe('user-account (6.16)', () => {
  it('requires at least one property and checks unix-account-ext', () => {
    expect(
      check(
        makeUserAccount({ user_id: undefined, account_login: undefined, account_type: undefined }),
      ),
    ).toEqual(['error at-least-one-property $', 'error uuid-version $.id'])
    expect(check(makeUserAccount({ extensions: { 'unix-account-ext': { gid: '1001' } } }))).toEqual(
      ['error property-type $.extensions.unix-account-ext.gid'],
    )
    expect(check(makeUserAccount({ account_type: 'mastodon' }))).toEqual([
      'warning open-vocab $.account_type',
    ])
  })
})

describe('SCO id versions (2.9)', () => {
  const V4 = 'user-account--0d5b424b-93b8-4cd8-ac36-306e1789d63c'
  const onlyDisplayName = { user_id: undefined, account_login: undefined, account_type: undefined }

  it('requires UUIDv4 when no ID contributing property is present', () => {
    expect(check(makeUserAccount({ ...onlyDisplayName, display_name: 'J' }))).toEqual([
      'error uuid-version $.id',
    ])
    expect(check(makeUserAccount({ ...onlyDisplayName, display_name: 'J', id: V4 }))).toEqual([])
  })

  it('warns when UUIDv4 is used although contributing properties are present', () => {
    expect(check(makeUserAccount({ id: V4 }))).toEqual(['warning uuid-version $.id'])
  })
})

describe('windows-registry-key (6.17)', () => {
  it('requires the hive spelled out and values with a known data_type', () => {
    expect(check(makeWindowsRegistryKey({ key: 'HKLM\\Software' }))).toEqual([
      'error registry-key-hive $.key',
    ])
    expect(
      check(makeWindowsRegistryKey({ values: [{ name: '', data_type: 'REG_TEXT' }] })),
    ).toEqual(['error enum-value $.values[0].data_type'])
    expect(check(makeWindowsRegistryKey({ values: [{}] }))).toEqual([
      'error at-least-one-property $.values[0]',
    ])
  })
})

describe('x509-certificate (6.18)', () => {
  it('requires at least one property and a non-empty v3 extensions object', () => {
    expect(check(makeX509Certificate({ issuer: undefined, serial_number: undefined }))).toEqual([
      'error at-least-one-property $',
      'error uuid-version $.id',
    ])
    expect(check(makeX509Certificate({ x509_v3_extensions: {} }))).toEqual([
      'error at-least-one-property $.x509_v3_extensions',
    ])
  })
})
