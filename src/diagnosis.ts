/**
 * Why a name was not found: the value type a NetServices Timeout carries as
 * `error.diagnosis`. A leaf that imports no room of src/ (errors.ts carries
 * it, mDNS fills it in).
 */

/** An answer for the name from an address on none of the links mDNS uses. */
export interface OffLinkAnswer {
  /** The sender's address. */
  readonly address: string;
  /** The interface of this host whose subnet holds that address, when there is one (mDNS does not use it). */
  readonly interfaceName?: string;
}

/** What a failed mDNS lookup saw while it waited. */
export interface LookupDiagnosis {
  /** The name looked for (service instance or host), presentation form. */
  readonly name: string;
  /** The interfaces the questions went out on. */
  readonly interfaces: readonly string[];
  /** mDNS packets heard during the wait, from anyone about anything: 0 means none reached us. */
  readonly packetsHeard: number;
  /** Instances of the same service type that do answer, closest name first (a typo shows at once). */
  readonly sameType: readonly string[];
  /** The name answered from addresses on none of our links: heard but ignored (RFC 6762 §11). */
  readonly offLink: readonly OffLinkAnswer[];
  /** The SRV answered (host and port), but that host's addresses never came. */
  readonly srvWithoutAddresses?: { readonly hostName: string; readonly port: number };
  /** SRV and addresses came, the TXT record did not. */
  readonly missingTxt: boolean;
  /** One line saying the most likely reason; the error's message ends with it. */
  readonly summary: string;
}
