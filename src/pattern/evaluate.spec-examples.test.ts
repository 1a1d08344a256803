import { describe, expect, it } from 'vitest'
import { evaluatePattern } from './evaluate.js'
import { makeObservation, type Observation, type Sco } from './observations.js'

const T0 = Date.parse('2014-01-13T07:00:00Z') * 1000
let n = 0
function obs(objects: Record<string, Sco>, at = 0): Observation {
  n++
  return makeObservation({ id: `observed-data--${n}`, firstObserved: T0 + at * 1e6, objects })
}
const one = (sco: Sco, at = 0): Observation => obs({ '0': sco }, at)

interface Example {
  pattern: string
  matching: Observation[][]
  notMatching: Observation[][]
}

const sha256a = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'
const sha256b = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c'

/** Every example pattern of STIX 2.1 sections 9.3 and 9.8, with observations either way. */
const examples: Example[] = [
  {
    pattern: "[ipv4-addr:value = '198.51.100.1/32']",
    matching: [[one({ type: 'ipv4-addr', value: '198.51.100.1' })]],
    notMatching: [
      [one({ type: 'ipv4-addr', value: '198.51.100.2' })],
      [one({ type: 'ipv6-addr', value: '::1' })],
    ],
  },
  {
    pattern:
      "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']",
    matching: [
      [one({ type: 'ipv4-addr', value: '203.0.113.33' })],
      [one({ type: 'ipv6-addr', value: '2001:db8:dead:beef:dead:beef:dead:1' })],
    ],
    notMatching: [[one({ type: 'ipv6-addr', value: '2001:db8:dead:beef:dead:beef:dead:2' })]],
  },
  {
    pattern:
      "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] REPEATS 5 TIMES",
    matching: [[0, 1, 2, 3, 4].map((i) => one({ type: 'ipv4-addr', value: '198.51.100.1' }, i))],
    notMatching: [[0, 1, 2, 3].map((i) => one({ type: 'ipv4-addr', value: '198.51.100.1' }, i))],
  },
  {
    pattern:
      "([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS",
    matching: [
      [
        one({ type: 'ipv4-addr', value: '198.51.100.1' }, 0),
        one({ type: 'domain-name', value: 'example.com' }, 599),
      ],
    ],
    notMatching: [
      [
        one({ type: 'ipv4-addr', value: '198.51.100.1' }, 0),
        one({ type: 'domain-name', value: 'example.com' }, 600),
      ],
      [
        one({ type: 'domain-name', value: 'example.com' }, 0),
        one({ type: 'ipv4-addr', value: '198.51.100.1' }, 10),
      ],
    ],
  },
  {
    pattern: `[file:hashes.'SHA-256' = '${sha256a}']`,
    matching: [[one({ type: 'file', hashes: { 'SHA-256': sha256a } })]],
    notMatching: [[one({ type: 'file', hashes: { 'SHA-512': sha256a } })]],
  },
  {
    pattern:
      "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
    matching: [
      [
        obs({
          '0': {
            type: 'email-message',
            is_multipart: true,
            from_ref: '1',
            body_multipart: [{ body: 'hello' }, { body_raw_ref: '2' }],
          },
          '1': { type: 'email-addr', value: 'boss@example.com' },
          '2': { type: 'file', name: 'Final Report Q4.exe' },
        }),
      ],
    ],
    notMatching: [
      [
        obs({
          '0': {
            type: 'email-message',
            is_multipart: true,
            from_ref: '1',
            body_multipart: [{ body_raw_ref: '2' }],
          },
          '1': { type: 'email-addr', value: 'boss@example.com' },
          '2': { type: 'file', name: 'Final Report Q4.pdf' },
        }),
      ],
    ],
  },
  {
    pattern: `[file:hashes.'SHA-256' = '${sha256a}' AND file:mime_type = 'application/x-pdf']`,
    matching: [
      [one({ type: 'file', mime_type: 'application/x-pdf', hashes: { 'SHA-256': sha256a } })],
    ],
    notMatching: [
      [one({ type: 'file', mime_type: 'application/pdf', hashes: { 'SHA-256': sha256a } })],
    ],
  },
  {
    pattern: `[file:hashes.'SHA-256' = '${sha256b}' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = '${sha256a}']`,
    matching: [
      [
        one({ type: 'file', hashes: { MD5: 'cead3f77f6cda6ec00f57d76c9a6879f' } }, 0),
        one({ type: 'file', hashes: { 'SHA-256': sha256a } }, 5),
      ],
    ],
    notMatching: [
      [
        one({
          type: 'file',
          hashes: { MD5: 'cead3f77f6cda6ec00f57d76c9a6879f', 'SHA-256': sha256a },
        }),
      ],
    ],
  },
  {
    pattern:
      "([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) WITHIN 300 SECONDS",
    matching: [
      [
        one({ type: 'file', hashes: { MD5: '79054025255fb1a26e4bc422aef54eb4' } }, 0),
        one({ type: 'windows-registry-key', key: 'HKEY_LOCAL_MACHINE\\foo\\bar' }, 120),
      ],
    ],
    notMatching: [
      [
        one({ type: 'file', hashes: { MD5: '79054025255fb1a26e4bc422aef54eb4' } }, 0),
        one({ type: 'windows-registry-key', key: 'HKEY_LOCAL_MACHINE\\foo\\bar' }, 301),
      ],
    ],
  },
  {
    pattern:
      "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
    matching: [
      [
        obs({
          '0': { type: 'file', name: 'foo.dll', parent_directory_ref: '1' },
          '1': { type: 'directory', path: 'C:\\Windows\\System32' },
        }),
      ],
    ],
    notMatching: [
      [
        obs({
          '0': { type: 'file', name: 'foo.dll', parent_directory_ref: '2' },
          '1': { type: 'directory', path: 'C:\\Windows\\System32' },
        }),
      ],
    ],
  },
  {
    pattern: "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    matching: [
      [
        one({
          type: 'file',
          extensions: { 'windows-pebinary-ext': { sections: [{ entropy: 1 }, { entropy: 7.2 }] } },
        }),
      ],
    ],
    notMatching: [
      [
        one({
          type: 'file',
          extensions: { 'windows-pebinary-ext': { sections: [{ entropy: 7.0 }] } },
        }),
      ],
    ],
  },
  {
    pattern: "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
    matching: [[one({ type: 'file', mime_type: 'image/bmp', magic_number_hex: 'FFD8' })]],
    notMatching: [[one({ type: 'file', mime_type: 'image/bmp', magic_number_hex: '424D' })]],
  },
  {
    pattern:
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
    matching: [
      [
        obs({
          '0': { type: 'network-traffic', dst_ref: '1' },
          '1': { type: 'ipv4-addr', value: '203.0.113.33' },
        }),
      ],
    ],
    notMatching: [
      [
        obs({
          '0': { type: 'network-traffic', src_ref: '1' },
          '1': { type: 'ipv4-addr', value: '203.0.113.33' },
        }),
      ],
    ],
  },
  {
    pattern: "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    matching: [[one({ type: 'url', value: 'http://example.com/foo' })]],
    notMatching: [[one({ type: 'url', value: 'http://example.com/baz' })]],
  },
  {
    pattern:
      "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    matching: [
      [
        one({
          type: 'x509-certificate',
          issuer: 'CN=WEBMAIL',
          serial_number: '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28',
        }),
      ],
    ],
    notMatching: [[one({ type: 'x509-certificate', issuer: 'CN=WEBMAIL', serial_number: '00' })]],
  },
  {
    pattern:
      "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\CryptoLocker_0388']",
    matching: [
      [
        one({
          type: 'windows-registry-key',
          key: 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files',
        }),
      ],
    ],
    notMatching: [
      [one({ type: 'windows-registry-key', key: 'HKEY_CURRENT_USER\\Software\\CryptoLocker' })],
    ],
  },
  {
    pattern:
      "[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = t'2014-01-13T07:03:17Z']",
    matching: [[one({ type: 'file', size: 371712, created: '2014-01-13T07:03:17.000Z' })]],
    notMatching: [
      [one({ type: 'file', name: 'pdf.exe', created: '2014-01-13T07:03:18Z' })],
      [one({ type: 'file', name: 'pdf.exe' })],
    ],
  },
  {
    pattern:
      "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
    matching: [
      [
        obs({
          '0': {
            type: 'email-message',
            is_multipart: false,
            sender_ref: '1',
            subject: 'Conference Info',
          },
          '1': { type: 'email-addr', value: 'jdoe@example.com' },
        }),
      ],
    ],
    notMatching: [
      [
        obs({
          '0': {
            type: 'email-message',
            is_multipart: false,
            from_ref: '1',
            subject: 'Conference Info',
          },
          '1': { type: 'email-addr', value: 'jdoe@example.com' },
        }),
      ],
    ],
  },
  {
    pattern: "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    matching: [
      [one({ type: 'x-usb-device', usbdrive: { serial_number: '575833314133343231313937' } })],
    ],
    notMatching: [
      [one({ type: 'x-usb-device', usbdrive: { serial: '575833314133343231313937' } })],
    ],
  },
  {
    // WITHIN binds to the second observation expression only (qualifiers are not greedy, 9.5.2).
    pattern:
      "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
    matching: [
      [
        one(
          {
            type: 'process',
            command_line: 'certutil.exe>-add GlobalSign.cer -c -s -r localMachine Root',
          },
          0,
        ),
        one(
          {
            type: 'process',
            command_line: 'certutil.exe>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher',
          },
          1000,
        ),
      ],
    ],
    notMatching: [
      [
        one(
          {
            type: 'process',
            command_line: 'certutil.exe>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher',
          },
          0,
        ),
        one(
          {
            type: 'process',
            command_line: 'certutil.exe>-add GlobalSign.cer -c -s -r localMachine Root',
          },
          10,
        ),
      ],
    ],
  },
  {
    pattern:
      "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
    matching: [
      [
        obs({
          '0': { type: 'network-traffic', dst_ref: '1' },
          '1': { type: 'ipv6-addr', value: '2001:db8:dead:beef::42' },
        }),
      ],
    ],
    notMatching: [
      [
        obs({
          '0': { type: 'network-traffic', dst_ref: '1' },
          '1': { type: 'ipv6-addr', value: '2001:db8:dead:bef0::42' },
        }),
      ],
    ],
  },
  {
    pattern:
      "([file:name = 'foo.dll'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:image_ref.name = 'fooproc' OR process:image_ref.name = 'procfoo']",
    matching: [
      [
        one({ type: 'file', name: 'foo.dll' }, 0),
        one({ type: 'windows-registry-key', key: 'HKEY_LOCAL_MACHINE\\foo\\bar' }, 1),
      ],
      [obs({ '0': { type: 'process', image_ref: '1' }, '1': { type: 'file', name: 'procfoo' } })],
    ],
    notMatching: [
      [one({ type: 'file', name: 'foo.dll' })],
      [obs({ '0': { type: 'process', image_ref: '1' }, '1': { type: 'file', name: 'bar' } })],
    ],
  },
]

describe('evaluatePattern: the specification examples (STIX 2.1 sections 9.3, 9.8)', () => {
  for (const example of examples) {
    it(`matches ${example.pattern}`, () => {
      for (const observations of example.matching)
        expect(evaluatePattern(example.pattern, observations).matched).toBe(true)
      for (const observations of example.notMatching)
        expect(evaluatePattern(example.pattern, observations).matched).toBe(false)
    })
  }
})
