/**
 * The open vocabularies (`-ov`, SHOULD) and enumerations (`-enum`, MUST) of STIX 2.1
 * section 10, as const arrays in the order the specification lists them.
 */

/** `account-type-ov`: the Account Type Vocabulary open vocabulary (STIX 2.1 section 10.1). */
export const ACCOUNT_TYPE_OV = [
  'facebook',
  'ldap',
  'nis',
  'openid',
  'radius',
  'skype',
  'tacacs',
  'twitter',
  'unix',
  'windows-local',
  'windows-domain',
] as const

/** `attack-motivation-ov`: the Attack Motivation Vocabulary open vocabulary (STIX 2.1 section 10.2). */
export const ATTACK_MOTIVATION_OV = [
  'accidental',
  'coercion',
  'dominance',
  'ideology',
  'notoriety',
  'organizational-gain',
  'personal-gain',
  'personal-satisfaction',
  'revenge',
  'unpredictable',
] as const

/** `attack-resource-level-ov`: the Attack Resource Level Vocabulary open vocabulary (STIX 2.1 section 10.3). */
export const ATTACK_RESOURCE_LEVEL_OV = [
  'individual',
  'club',
  'contest',
  'team',
  'organization',
  'government',
] as const

/** `encryption-algorithm-enum`: the Encryption Algorithm Enumeration enumeration (STIX 2.1 section 10.4). */
export const ENCRYPTION_ALGORITHM_ENUM = [
  'AES-256-GCM',
  'ChaCha20-Poly1305',
  'mime-type-indicated',
] as const

/** `extension-type-enum`: the Extension Type Enumeration enumeration (STIX 2.1 section 10.5). */
export const EXTENSION_TYPE_ENUM = [
  'new-sdo',
  'new-sco',
  'new-sro',
  'property-extension',
  'toplevel-property-extension',
] as const

/** `grouping-context-ov`: the Grouping Context Vocabulary open vocabulary (STIX 2.1 section 10.6). */
export const GROUPING_CONTEXT_OV = [
  'suspicious-activity',
  'malware-analysis',
  'unspecified',
] as const

/** `hash-algorithm-ov`: the Hashing Algorithm Vocabulary open vocabulary (STIX 2.1 section 10.7). */
export const HASH_ALGORITHM_OV = [
  'MD5',
  'SHA-1',
  'SHA-256',
  'SHA-512',
  'SHA3-256',
  'SHA3-512',
  'SSDEEP',
  'TLSH',
] as const

/** `identity-class-ov`: the Identity Class Vocabulary open vocabulary (STIX 2.1 section 10.8). */
export const IDENTITY_CLASS_OV = [
  'individual',
  'group',
  'system',
  'organization',
  'class',
  'unknown',
] as const

/** `implementation-language-ov`: the Implementation Language Vocabulary open vocabulary (STIX 2.1 section 10.9). */
export const IMPLEMENTATION_LANGUAGE_OV = [
  'applescript',
  'bash',
  'c',
  'c++',
  'c#',
  'go',
  'java',
  'javascript',
  'lua',
  'objective-c',
  'perl',
  'php',
  'powershell',
  'python',
  'ruby',
  'rust',
  'scala',
  'swift',
  'typescript',
  'visual-basic',
  'x86-32',
  'x86-64',
] as const

/** `indicator-type-ov`: the Indicator Type Vocabulary open vocabulary (STIX 2.1 section 10.10). */
export const INDICATOR_TYPE_OV = [
  'anomalous-activity',
  'anonymization',
  'benign',
  'compromised',
  'malicious-activity',
  'attribution',
  'unknown',
] as const

/** `industry-sector-ov`: the Industry Sector Vocabulary open vocabulary (STIX 2.1 section 10.11). */
export const INDUSTRY_SECTOR_OV = [
  'agriculture',
  'aerospace',
  'automotive',
  'chemical',
  'commercial',
  'communications',
  'construction',
  'defense',
  'education',
  'energy',
  'entertainment',
  'financial-services',
  'government',
  'emergency-services',
  'government-local',
  'government-national',
  'government-public-services',
  'government-regional',
  'healthcare',
  'hospitality-leisure',
  'infrastructure',
  'dams',
  'nuclear',
  'water',
  'insurance',
  'legal',
  'manufacturing',
  'mining',
  'non-profit',
  'pharmaceuticals',
  'retail',
  'technology',
  'telecommunications',
  'transportation',
  'utilities',
] as const

/** `infrastructure-type-ov`: the Infrastructure Type Vocabulary open vocabulary (STIX 2.1 section 10.12). */
export const INFRASTRUCTURE_TYPE_OV = [
  'amplification',
  'anonymization',
  'botnet',
  'command-and-control',
  'control-system',
  'exfiltration',
  'firewall',
  'hosting-malware',
  'hosting-target-lists',
  'phishing',
  'reconnaissance',
  'routers-switches',
  'staging',
  'workstation',
  'unknown',
] as const

/** `malware-capabilities-ov`: the Malware Capabilities Vocabulary open vocabulary (STIX 2.1 section 10.13). */
export const MALWARE_CAPABILITIES_OV = [
  'accesses-remote-machines',
  'anti-debugging',
  'anti-disassembly',
  'anti-emulation',
  'anti-memory-forensics',
  'anti-sandbox',
  'anti-vm',
  'captures-input-peripherals',
  'captures-output-peripherals',
  'captures-system-state-data',
  'cleans-traces-of-infection',
  'commits-fraud',
  'communicates-with-c2',
  'compromises-data-availability',
  'compromises-data-integrity',
  'compromises-system-availability',
  'controls-local-machine',
  'degrades-security-software',
  'degrades-system-updates',
  'determines-c2-server',
  'emails-spam',
  'escalates-privileges',
  'evades-av',
  'exfiltrates-data',
  'fingerprints-host',
  'hides-artifacts',
  'hides-executing-code',
  'infects-files',
  'infects-remote-machines',
  'installs-other-components',
  'persists-after-system-reboot',
  'prevents-artifact-access',
  'prevents-artifact-deletion',
  'probes-network-environment',
  'self-modifies',
  'steals-authentication-credentials',
  'violates-system-operational-integrity',
] as const

/** `malware-result-ov`: the Malware Result Vocabulary open vocabulary (STIX 2.1 section 10.14). */
export const MALWARE_RESULT_OV = ['malicious', 'suspicious', 'benign', 'unknown'] as const

/** `malware-type-ov`: the Malware Type Vocabulary open vocabulary (STIX 2.1 section 10.15). */
export const MALWARE_TYPE_OV = [
  'adware',
  'backdoor',
  'bot',
  'bootkit',
  'ddos',
  'downloader',
  'dropper',
  'exploit-kit',
  'keylogger',
  'ransomware',
  'remote-access-trojan',
  'resource-exploitation',
  'rogue-security-software',
  'rootkit',
  'screen-capture',
  'spyware',
  'trojan',
  'unknown',
  'virus',
  'webshell',
  'wiper',
  'worm',
] as const

/** `network-socket-address-family-enum`: the Network Socket Address Family Enumeration enumeration (STIX 2.1 section 10.16). */
export const NETWORK_SOCKET_ADDRESS_FAMILY_ENUM = [
  'AF_UNSPEC',
  'AF_INET',
  'AF_IPX',
  'AF_APPLETALK',
  'AF_NETBIOS',
  'AF_INET6',
  'AF_IRDA',
  'AF_BTH',
] as const

/** `network-socket-type-enum`: the Network Socket Type Enumeration enumeration (STIX 2.1 section 10.17). */
export const NETWORK_SOCKET_TYPE_ENUM = [
  'SOCK_STREAM',
  'SOCK_DGRAM',
  'SOCK_RAW',
  'SOCK_RDM',
  'SOCK_SEQPACKET',
] as const

/** `opinion-enum`: the Opinion Enumeration enumeration (STIX 2.1 section 10.18). */
export const OPINION_ENUM = [
  'strongly-disagree',
  'disagree',
  'neutral',
  'agree',
  'strongly-agree',
] as const

/** `pattern-type-ov`: the Pattern Type Vocabulary open vocabulary (STIX 2.1 section 10.19). */
export const PATTERN_TYPE_OV = ['stix', 'pcre', 'sigma', 'snort', 'suricata', 'yara'] as const

/** `processor-architecture-ov`: the Processor Architecture Vocabulary open vocabulary (STIX 2.1 section 10.20). */
export const PROCESSOR_ARCHITECTURE_OV = [
  'alpha',
  'arm',
  'ia-64',
  'mips',
  'powerpc',
  'sparc',
  'x86',
  'x86-64',
] as const

/** `region-ov`: the Region Vocabulary open vocabulary (STIX 2.1 section 10.21). */
export const REGION_OV = [
  'africa',
  'eastern-africa',
  'middle-africa',
  'northern-africa',
  'southern-africa',
  'western-africa',
  'americas',
  'caribbean',
  'central-america',
  'latin-america-caribbean',
  'northern-america',
  'south-america',
  'asia',
  'central-asia',
  'eastern-asia',
  'southern-asia',
  'south-eastern-asia',
  'western-asia',
  'europe',
  'eastern-europe',
  'northern-europe',
  'southern-europe',
  'western-europe',
  'oceania',
  'antarctica',
  'australia-new-zealand',
  'melanesia',
  'micronesia',
  'polynesia',
] as const

/** `report-type-ov`: the Report Type Vocabulary open vocabulary (STIX 2.1 section 10.22). */
export const REPORT_TYPE_OV = [
  'attack-pattern',
  'campaign',
  'identity',
  'incident',
  'indicator',
  'intrusion-set',
  'malware',
  'observed-data',
  'threat-actor',
  'threat-report',
  'tool',
  'vulnerability',
] as const

/** `threat-actor-type-ov`: the Threat Actor Type Vocabulary open vocabulary (STIX 2.1 section 10.23). */
export const THREAT_ACTOR_TYPE_OV = [
  'activist',
  'competitor',
  'crime-syndicate',
  'criminal',
  'hacker',
  'insider-accidental',
  'insider-disgruntled',
  'nation-state',
  'private-sector',
  'sensationalist',
  'spy',
  'terrorist',
  'unknown',
] as const

/** `threat-actor-role-ov`: the Threat Actor Role Vocabulary open vocabulary (STIX 2.1 section 10.24). */
export const THREAT_ACTOR_ROLE_OV = [
  'agent',
  'director',
  'independent',
  'infrastructure-architect',
  'infrastructure-operator',
  'malware-author',
  'sponsor',
] as const

/** `threat-actor-sophistication-ov`: the Threat Actor Sophistication Vocabulary open vocabulary (STIX 2.1 section 10.25). */
export const THREAT_ACTOR_SOPHISTICATION_OV = [
  'none',
  'minimal',
  'intermediate',
  'advanced',
  'expert',
  'innovator',
  'strategic',
] as const

/** `tool-type-ov`: the Tool Type Vocabulary open vocabulary (STIX 2.1 section 10.26). */
export const TOOL_TYPE_OV = [
  'denial-of-service',
  'exploitation',
  'information-gathering',
  'network-capture',
  'credential-exploitation',
  'remote-access',
  'vulnerability-scanning',
  'unknown',
] as const

/** `windows-integrity-level-enum`: the Windows™ Integrity Level Enumeration enumeration (STIX 2.1 section 10.27). */
export const WINDOWS_INTEGRITY_LEVEL_ENUM = ['low', 'medium', 'high', 'system'] as const

/** `windows-pebinary-type-ov`: the Windows™ PE Binary Vocabulary open vocabulary (STIX 2.1 section 10.28). */
export const WINDOWS_PEBINARY_TYPE_OV = ['dll', 'exe', 'sys'] as const

/** `windows-registry-datatype-enum`: the Windows™ Registry Datatype Enumeration enumeration (STIX 2.1 section 10.29). */
export const WINDOWS_REGISTRY_DATATYPE_ENUM = [
  'REG_NONE',
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_BINARY',
  'REG_DWORD',
  'REG_DWORD_BIG_ENDIAN',
  'REG_DWORD_LITTLE_ENDIAN',
  'REG_LINK',
  'REG_MULTI_SZ',
  'REG_RESOURCE_LIST',
  'REG_FULL_RESOURCE_DESCRIPTION',
  'REG_RESOURCE_REQUIREMENTS_LIST',
  'REG_QWORD',
  'REG_INVALID_TYPE',
] as const

/** `windows-service-start-type-enum`: the Windows™ Service Start Type Enumeration enumeration (STIX 2.1 section 10.30). */
export const WINDOWS_SERVICE_START_TYPE_ENUM = [
  'SERVICE_AUTO_START',
  'SERVICE_BOOT_START',
  'SERVICE_DEMAND_START',
  'SERVICE_DISABLED',
  'SERVICE_SYSTEM_ALERT',
] as const

/** `windows-service-type-enum`: the Windows™ Service Type Enumeration enumeration (STIX 2.1 section 10.31). */
export const WINDOWS_SERVICE_TYPE_ENUM = [
  'SERVICE_KERNEL_DRIVER',
  'SERVICE_FILE_SYSTEM_DRIVER',
  'SERVICE_WIN32_OWN_PROCESS',
  'SERVICE_WIN32_SHARE_PROCESS',
] as const

/** `windows-service-status-enum`: the Windows™ Service Status Enumeration enumeration (STIX 2.1 section 10.32). */
export const WINDOWS_SERVICE_STATUS_ENUM = [
  'SERVICE_CONTINUE_PENDING',
  'SERVICE_PAUSE_PENDING',
  'SERVICE_PAUSED',
  'SERVICE_RUNNING',
  'SERVICE_START_PENDING',
  'SERVICE_STOP_PENDING',
  'SERVICE_STOPPED',
] as const

/** Every vocabulary and enumeration of section 10, by its specification name. */
export const VOCABULARIES = {
  'account-type-ov': ACCOUNT_TYPE_OV,
  'attack-motivation-ov': ATTACK_MOTIVATION_OV,
  'attack-resource-level-ov': ATTACK_RESOURCE_LEVEL_OV,
  'encryption-algorithm-enum': ENCRYPTION_ALGORITHM_ENUM,
  'extension-type-enum': EXTENSION_TYPE_ENUM,
  'grouping-context-ov': GROUPING_CONTEXT_OV,
  'hash-algorithm-ov': HASH_ALGORITHM_OV,
  'identity-class-ov': IDENTITY_CLASS_OV,
  'implementation-language-ov': IMPLEMENTATION_LANGUAGE_OV,
  'indicator-type-ov': INDICATOR_TYPE_OV,
  'industry-sector-ov': INDUSTRY_SECTOR_OV,
  'infrastructure-type-ov': INFRASTRUCTURE_TYPE_OV,
  'malware-capabilities-ov': MALWARE_CAPABILITIES_OV,
  'malware-result-ov': MALWARE_RESULT_OV,
  'malware-type-ov': MALWARE_TYPE_OV,
  'network-socket-address-family-enum': NETWORK_SOCKET_ADDRESS_FAMILY_ENUM,
  'network-socket-type-enum': NETWORK_SOCKET_TYPE_ENUM,
  'opinion-enum': OPINION_ENUM,
  'pattern-type-ov': PATTERN_TYPE_OV,
  'processor-architecture-ov': PROCESSOR_ARCHITECTURE_OV,
  'region-ov': REGION_OV,
  'report-type-ov': REPORT_TYPE_OV,
  'threat-actor-type-ov': THREAT_ACTOR_TYPE_OV,
  'threat-actor-role-ov': THREAT_ACTOR_ROLE_OV,
  'threat-actor-sophistication-ov': THREAT_ACTOR_SOPHISTICATION_OV,
  'tool-type-ov': TOOL_TYPE_OV,
  'windows-integrity-level-enum': WINDOWS_INTEGRITY_LEVEL_ENUM,
  'windows-pebinary-type-ov': WINDOWS_PEBINARY_TYPE_OV,
  'windows-registry-datatype-enum': WINDOWS_REGISTRY_DATATYPE_ENUM,
  'windows-service-start-type-enum': WINDOWS_SERVICE_START_TYPE_ENUM,
  'windows-service-type-enum': WINDOWS_SERVICE_TYPE_ENUM,
  'windows-service-status-enum': WINDOWS_SERVICE_STATUS_ENUM,
} as const satisfies Record<string, readonly string[]>

/** The name of a section 10 vocabulary or enumeration, e.g. `indicator-type-ov`. */
export type VocabularyName = keyof typeof VOCABULARIES
