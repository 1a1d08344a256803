import { describe, expect, it } from 'vitest'
import { canonicalIp, ipv4ToUint, networkContains, networksEqual, parseIpNetwork } from './ip.js'

const net = (text: string) => {
  const parsed = parseIpNetwork(text)
  if (!parsed) throw new Error(`not an IP: ${text}`)
  return parsed
}

describe('parseIpNetwork', () => {
  it.each([
    ['198.51.100.1', '198.51.100.1'],
    ['198.51.100.1/32', '198.51.100.1'],
    ['198.51.100.77/24', '198.51.100.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:0db8:dead:beef:dead:beef:dead:0001/128', '2001:db8:dead:beef:dead:beef:dead:1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::/10', 'fe80::/10'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['2001:db8::ff/64', '2001:db8::/64'],
  ])('canonicalises %s as %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical)
  })

  it.each([
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.4/33',
    '1.2.3.4/',
    '1.2.3.4/08',
    'example.com',
    '',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    '2001:db8::/129',
    ':::',
    'g::1',
  ])('rejects %j', (text) => {
    expect(parseIpNetwork(text)).toBeUndefined()
  })

  it('honours the requested version', () => {
    expect(parseIpNetwork('::1', 4)).toBeUndefined()
    expect(parseIpNetwork('1.2.3.4', 6)).toBeUndefined()
  })
})

describe('networkContains / networksEqual (STIX 2.1 section 9.6.1)', () => {
  it('contains subnets and addresses, including identical blocks', () => {
    expect(networkContains(net('198.51.100.0/24'), net('198.51.100.0/27'))).toBe(true)
    expect(networkContains(net('198.51.100.0/27'), net('198.51.100.0/24'))).toBe(false)
    expect(networkContains(net('198.51.100.0/24'), net('198.51.100.200'))).toBe(true)
    expect(networkContains(net('198.51.100.0/25'), net('198.51.100.200'))).toBe(false)
    expect(networkContains(net('10.0.0.0/8'), net('10.0.0.0/8'))).toBe(true)
    expect(networkContains(net('0.0.0.0/0'), net('203.0.113.9'))).toBe(true)
    expect(networkContains(net('2001:db8::/32'), net('2001:db8:1::1'))).toBe(true)
    expect(networkContains(net('2001:db8::/33'), net('2001:db8:8000::1'))).toBe(false)
    expect(networkContains(net('0.0.0.0/0'), net('::1'))).toBe(false)
  })
  it('equates an address with its /32 or /128 block', () => {
    expect(networksEqual(net('198.51.100.1'), net('198.51.100.1/32'))).toBe(true)
    expect(networksEqual(net('198.51.100.1'), net('198.51.100.0/31'))).toBe(false)
    expect(networksEqual(net('::1'), net('0:0::1/128'))).toBe(true)
  })
})

describe('ipv4ToUint', () => {
  it('converts addresses and refuses blocks', () => {
    expect(ipv4ToUint('255.255.255.255')).toBe(0xffffffff)
    expect(ipv4ToUint('10.0.0.1/32')).toBe(0x0a000001)
    expect(ipv4ToUint('10.0.0.0/8')).toBeUndefined()
  })
})
