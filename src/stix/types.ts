/**
 * The STIX 2.1 object types, inferred from the object model's zod schemas (never written
 * by hand beside them).
 */
import type { z } from 'zod'
import type * as common from './common.js'
import type * as meta from './meta.js'
import type * as sco from './sco.js'
import type * as sdo from './sdo.js'
import type * as sro from './sro.js'

/** `attack-pattern` (STIX 2.1 section 4). */
export type AttackPattern = z.infer<typeof sdo.attackPatternDefinition.schema>
/** `campaign` (STIX 2.1 section 4). */
export type Campaign = z.infer<typeof sdo.campaignDefinition.schema>
/** `course-of-action` (STIX 2.1 section 4). */
export type CourseOfAction = z.infer<typeof sdo.courseOfActionDefinition.schema>
/** `grouping` (STIX 2.1 section 4). */
export type Grouping = z.infer<typeof sdo.groupingDefinition.schema>
/** `identity` (STIX 2.1 section 4). */
export type Identity = z.infer<typeof sdo.identityDefinition.schema>
/** `incident` (STIX 2.1 section 4). */
export type Incident = z.infer<typeof sdo.incidentDefinition.schema>
/** `indicator` (STIX 2.1 section 4). */
export type Indicator = z.infer<typeof sdo.indicatorDefinition.schema>
/** `infrastructure` (STIX 2.1 section 4). */
export type Infrastructure = z.infer<typeof sdo.infrastructureDefinition.schema>
/** `intrusion-set` (STIX 2.1 section 4). */
export type IntrusionSet = z.infer<typeof sdo.intrusionSetDefinition.schema>
/** `location` (STIX 2.1 section 4). */
export type Location = z.infer<typeof sdo.locationDefinition.schema>
/** `malware` (STIX 2.1 section 4). */
export type Malware = z.infer<typeof sdo.malwareDefinition.schema>
/** `malware-analysis` (STIX 2.1 section 4). */
export type MalwareAnalysis = z.infer<typeof sdo.malwareAnalysisDefinition.schema>
/** `note` (STIX 2.1 section 4). */
export type Note = z.infer<typeof sdo.noteDefinition.schema>
/** `observed-data` (STIX 2.1 section 4). */
export type ObservedData = z.infer<typeof sdo.observedDataDefinition.schema>
/** `opinion` (STIX 2.1 section 4). */
export type Opinion = z.infer<typeof sdo.opinionDefinition.schema>
/** `report` (STIX 2.1 section 4). */
export type Report = z.infer<typeof sdo.reportDefinition.schema>
/** `threat-actor` (STIX 2.1 section 4). */
export type ThreatActor = z.infer<typeof sdo.threatActorDefinition.schema>
/** `tool` (STIX 2.1 section 4). */
export type Tool = z.infer<typeof sdo.toolDefinition.schema>
/** `vulnerability` (STIX 2.1 section 4). */
export type Vulnerability = z.infer<typeof sdo.vulnerabilityDefinition.schema>
/** `artifact` (STIX 2.1 section 6). */
export type Artifact = z.infer<typeof sco.artifactDefinition.schema>
/** `autonomous-system` (STIX 2.1 section 6). */
export type AutonomousSystem = z.infer<typeof sco.autonomousSystemDefinition.schema>
/** `directory` (STIX 2.1 section 6). */
export type Directory = z.infer<typeof sco.directoryDefinition.schema>
/** `domain-name` (STIX 2.1 section 6). */
export type DomainName = z.infer<typeof sco.domainNameDefinition.schema>
/** `email-addr` (STIX 2.1 section 6). */
export type EmailAddr = z.infer<typeof sco.emailAddrDefinition.schema>
/** `email-message` (STIX 2.1 section 6). */
export type EmailMessage = z.infer<typeof sco.emailMessageDefinition.schema>
/** `file` (STIX 2.1 section 6). */
export type File = z.infer<typeof sco.fileDefinition.schema>
/** `ipv4-addr` (STIX 2.1 section 6). */
export type Ipv4Addr = z.infer<typeof sco.ipv4AddrDefinition.schema>
/** `ipv6-addr` (STIX 2.1 section 6). */
export type Ipv6Addr = z.infer<typeof sco.ipv6AddrDefinition.schema>
/** `mac-addr` (STIX 2.1 section 6). */
export type MacAddr = z.infer<typeof sco.macAddrDefinition.schema>
/** `mutex` (STIX 2.1 section 6). */
export type Mutex = z.infer<typeof sco.mutexDefinition.schema>
/** `network-traffic` (STIX 2.1 section 6). */
export type NetworkTraffic = z.infer<typeof sco.networkTrafficDefinition.schema>
/** `process` (STIX 2.1 section 6). */
export type Process = z.infer<typeof sco.processDefinition.schema>
/** `software` (STIX 2.1 section 6). */
export type Software = z.infer<typeof sco.softwareDefinition.schema>
/** `url` (STIX 2.1 section 6). */
export type Url = z.infer<typeof sco.urlDefinition.schema>
/** `user-account` (STIX 2.1 section 6). */
export type UserAccount = z.infer<typeof sco.userAccountDefinition.schema>
/** `windows-registry-key` (STIX 2.1 section 6). */
export type WindowsRegistryKey = z.infer<typeof sco.windowsRegistryKeyDefinition.schema>
/** `x509-certificate` (STIX 2.1 section 6). */
export type X509Certificate = z.infer<typeof sco.x509CertificateDefinition.schema>

/** `relationship` (STIX 2.1 section 5.1). */
export type Relationship = z.infer<typeof sro.relationshipDefinition.schema>
/** `sighting` (STIX 2.1 section 5.2). */
export type Sighting = z.infer<typeof sro.sightingDefinition.schema>

/** `language-content` (STIX 2.1 section 7.1). */
export type LanguageContent = z.infer<typeof meta.languageContentDefinition.schema>
/** `marking-definition` (STIX 2.1 section 7.2.1). */
export type MarkingDefinition = z.infer<typeof meta.markingDefinitionDefinition.schema>
/** `extension-definition` (STIX 2.1 section 7.3). */
export type ExtensionDefinition = z.infer<typeof meta.extensionDefinitionDefinition.schema>

/** `external-reference` (section 2.5). */
export type ExternalReference = z.infer<typeof common.externalReference.zod>
/** `kill-chain-phase` (section 2.11). */
export type KillChainPhase = z.infer<typeof common.killChainPhase.zod>
/** `granular-marking` (section 7.2.3). */
export type GranularMarking = z.infer<typeof common.granularMarking.zod>
/** `hashes` (section 2.7): algorithm name to value. */
export type Hashes = z.infer<typeof common.hashes.zod>

/** `archive-ext` (section 6.7.2). */
export type ArchiveExtension = z.infer<typeof sco.archiveExt.zod>
/** `ntfs-ext` (section 6.7.3). */
export type NtfsExtension = z.infer<typeof sco.ntfsExt.zod>
/** `alternate-data-stream-type` (section 6.7.3). */
export type AlternateDataStream = z.infer<typeof sco.alternateDataStream.zod>
/** `pdf-ext` (section 6.7.4). */
export type PdfExtension = z.infer<typeof sco.pdfExt.zod>
/** `raster-image-ext` (section 6.7.5). */
export type RasterImageExtension = z.infer<typeof sco.rasterImageExt.zod>
/** `windows-pebinary-ext` (section 6.7.6). */
export type WindowsPeBinaryExtension = z.infer<typeof sco.peBinaryExt.zod>
/** `windows-pe-optional-header-type` (section 6.7.6). */
export type WindowsPeOptionalHeader = z.infer<typeof sco.peOptionalHeader.zod>
/** `windows-pe-section-type` (section 6.7.6). */
export type WindowsPeSection = z.infer<typeof sco.peSection.zod>
/** `email-mime-part-type` (section 6.6.2). */
export type EmailMimePart = z.infer<typeof sco.mimePart.zod>
/** `http-request-ext` (section 6.12.2). */
export type HttpRequestExtension = z.infer<typeof sco.httpRequestExt.zod>
/** `icmp-ext` (section 6.12.3). */
export type IcmpExtension = z.infer<typeof sco.icmpExt.zod>
/** `socket-ext` (section 6.12.4). */
export type SocketExtension = z.infer<typeof sco.socketExt.zod>
/** `tcp-ext` (section 6.12.5). */
export type TcpExtension = z.infer<typeof sco.tcpExt.zod>
/** `windows-process-ext` (section 6.13.2). */
export type WindowsProcessExtension = z.infer<typeof sco.windowsProcessExt.zod>
/** `windows-service-ext` (section 6.13.3). */
export type WindowsServiceExtension = z.infer<typeof sco.windowsServiceExt.zod>
/** `unix-account-ext` (section 6.16.2). */
export type UnixAccountExtension = z.infer<typeof sco.unixAccountExt.zod>
/** `windows-registry-value-type` (section 6.17.2). */
export type WindowsRegistryValue = z.infer<typeof sco.registryValue.zod>
/** `x509-v3-extensions-type` (section 6.18.2). */
export type X509V3Extensions = z.infer<typeof sco.x509V3Extensions.zod>

/** Any of the 19 STIX Domain Objects. */
export type StixDomainObject =
  | AttackPattern
  | Campaign
  | CourseOfAction
  | Grouping
  | Identity
  | Incident
  | Indicator
  | Infrastructure
  | IntrusionSet
  | Location
  | Malware
  | MalwareAnalysis
  | Note
  | ObservedData
  | Opinion
  | Report
  | ThreatActor
  | Tool
  | Vulnerability

/** Either STIX Relationship Object. */
export type StixRelationshipObject = Relationship | Sighting

/** Any of the 18 STIX Cyber-observable Objects. */
export type StixCyberObservableObject =
  | Artifact
  | AutonomousSystem
  | Directory
  | DomainName
  | EmailAddr
  | EmailMessage
  | File
  | Ipv4Addr
  | Ipv6Addr
  | MacAddr
  | Mutex
  | NetworkTraffic
  | Process
  | Software
  | Url
  | UserAccount
  | WindowsRegistryKey
  | X509Certificate

/** Any STIX Meta Object. */
export type StixMetaObject = LanguageContent | MarkingDefinition | ExtensionDefinition

/** Any object the specification defines, discriminated by `type`. */
export type StixObject =
  StixDomainObject | StixRelationshipObject | StixCyberObservableObject | StixMetaObject

/** An object of a type the specification does not define (section 11.2, or a new-sdo/sco/sro). */
export interface CustomStixObject {
  type: string
  id: string
  [property: string]: unknown
}

/** What the validator accepts: a defined STIX object, or a custom one. */
export type AnyStixObject = StixObject | CustomStixObject

/** The STIX Bundle (section 8). */
export interface Bundle {
  type: 'bundle'
  id: string
  objects?: AnyStixObject[]
}
