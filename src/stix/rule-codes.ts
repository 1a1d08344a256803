/**
 * Every rule code the STIX validator reports in `StixIssue.code`, with what it means. The codes
 * are stable: tools may match on them. Findings about an indicator's STIX pattern keep the
 * pattern parser's own codes (`PATTERN_SYNTAX`, `PATTERN_REGEX` and its warning codes).
 */
export const STIX_RULE_CODES = {
  'at-least-one-property':
    'An object or nested type that must hold at least one property holds none',
  'binary-format': 'A binary value (or a property named *_bin) is not base64 (2.1)',
  'bundle-spec-version': 'A bundle carries spec_version, which STIX 2.1 bundles do not have (8.1)',
  'bundle-type': 'A bundle\'s type is not "bundle" (8.1)',
  'circular-marking': 'A marking definition marks itself (3.2)',
  'cpe-format': 'A software cpe is not a CPE 2.3 name (6.14)',
  'custom-extension-prefix': 'A custom SCO extension name does not start with x- (SHOULD, 11.3)',
  'custom-object-prefix':
    'A custom object type does not start with x- and no extension declares it (SHOULD, 11.2)',
  'custom-object-type':
    'An unknown object type breaks the naming rules of custom types (11.2, 7.3.2)',
  'custom-property':
    'A property the specification does not define, with custom properties disallowed',
  'custom-property-name': 'A custom property name breaks the naming rules (3.1, 11.1)',
  'custom-property-prefix': 'A custom property does not start with x_ (SHOULD, 11.1)',
  'deprecated-property': 'A deprecated property is used (e.g. observed-data objects, 2.13)',
  'dictionary-key': 'A dictionary key is not 1-250 ASCII letters, digits, - or _ (2.3)',
  'domain-name-value': 'A domain-name value is not an RFC 1034/5890 domain name (6.4)',
  'email-addr-value': 'An email-addr value is not a bare address (6.5)',
  'empty-dictionary': 'A dictionary is empty (2.3)',
  'empty-list': 'A list is empty (2.12)',
  'enum-value': 'A value is not in its enumeration (2.4, 10)',
  'extension-name':
    'An extensions key is neither an extension-definition id, a predefined extension, nor a custom SCO extension name (3.2, 11.3)',
  'extension-not-allowed':
    'A predefined extension is used on a type that does not define it (3.10)',
  'extension-protocol':
    "A network-traffic extension is present but its protocol is not in 'protocols' (SHOULD, 6.12)",
  'extension-property-name': 'An extension property name breaks the naming rules (7.3.2, 11.3)',
  'extension-type-mismatch':
    'A new-sdo/new-sco/new-sro extension is used on a type STIX defines (7.3)',
  'extension-type-missing': 'An extension-definition extension lacks extension_type (7.3)',
  'external-id-format': 'A CAPEC or CVE external reference has a malformed external_id (4.1, 4.19)',
  'external-reference-hashes': 'An external reference gives a url without hashes (SHOULD, 2.5)',
  'granular-marking-choice':
    'A granular marking has both or neither of marking_ref and lang (7.2.3)',
  'granular-marking-selector':
    'A granular marking selector is malformed or selects nothing (7.2.3)',
  'hash-algorithm': 'A hash algorithm name is not in hash-algorithm-ov (SHOULD, 2.7)',
  'hash-value': 'A hash value is not in the format of its algorithm (2.7)',
  'hex-format': 'A hex value (or a property named *_hex) is not even-length lowercase hex (2.8)',
  'identifier-format': 'An identifier is not type--UUID with an RFC 4122 UUID (2.9)',
  'identifier-type': "An id's type prefix is not the object's type (2.9)",
  'integer-range': 'An integer is outside its allowed range (2.10 and per property)',
  'ipv4-addr-value': 'An ipv4-addr value is not an IPv4 address or CIDR block (6.8)',
  'ipv6-addr-value': 'An ipv6-addr value is not an IPv6 address or CIDR block (6.9)',
  'kill-chain-phase-format':
    'A kill chain or phase name is not lowercase with hyphens (SHOULD, 2.11)',
  'language-tag': 'A language code is not an RFC 5646 tag (3.2, 6.14, 7.1, 7.2.3)',
  'mac-addr-value': 'A mac-addr value is not a lowercase colon-delimited MAC-48 (6.10)',
  'mutually-exclusive': 'Two properties that exclude each other are both present',
  'nested-bundle': 'A bundle appears where a STIX object is expected (8)',
  'open-vocab':
    'A value is not in its open vocabulary, or is not lowercase with hyphens (SHOULD, 2.14, 10)',
  'not-an-object': 'The input is not a JSON object',
  'number-range': 'A number is outside its allowed range (e.g. latitude, entropy)',
  'property-dependency': 'A property is present or absent against the rule tying it to another',
  'property-not-applicable':
    'A common property is used on an object type it does not apply to (3.2)',
  'property-type': 'A property has the wrong JSON type',
  'recommended-property': 'A property the specification recommends is missing (SHOULD)',
  'reference-type': 'A reference points to an object of a type the property does not allow',
  'registry-key-hive': 'A registry key abbreviates its hive (6.17)',
  'relationship-endpoints':
    'A relationship type joins types the specification does not define it for (SHOULD, 3.7, 5.1)',
  'relationship-type-format': 'A relationship_type uses characters other than a-z, 0-9 and - (5.1)',
  'required-one-of': 'None of a set of properties, one of which is required, is present',
  'required-property': 'A required property is missing',
  'reserved-property': 'A reserved property name is used (3.8)',
  'spec-version': 'spec_version is not "2.1" (3.2)',
  'timestamp-format': 'A timestamp is not RFC 3339 YYYY-MM-DDTHH:mm:ss[.s+]Z (2.16)',
  'timestamp-precision':
    'A timestamp has less (or more) precision than its property allows (3.2, 6.7.6)',
  'timestamp-order': 'Two timestamps are in the wrong order (e.g. modified before created)',
  'tlp-marking-not-standard':
    'A TLP marking definition is not one of the well-known ones (7.2.1, TLP 2.0)',
  'url-value': 'A url is not an RFC 3986 URL (6.1, 6.15)',
  'uuid-reused': 'A UUID is used for objects of two types (2.9)',
  'uuid-version': 'An id uses a UUID version other than the one the specification asks for (2.9)',
} as const satisfies Record<string, string>

/** A stable rule code of the STIX validator. */
export type StixRuleCode = keyof typeof STIX_RULE_CODES
