/** Per-link network faults through Toxiproxy-API link proxies; see link-faults.ts. */
export { LinkFaults, LinkFaultError, DEFAULT_LINK_GID } from './link-faults.js';
export type { LinkSetupOptions, LinkLatency } from './link-faults.js';
export { cleanupLinkState, linkResidue, isClean } from './residue.js';
export type { LinkResidue } from './residue.js';
export { LINK_CHAIN } from './netns.js';
export { placementsFor, toxicFor, linksBetween, linksBothWays } from './directed.js';
export { startLinkProxyServer } from './server.js';
export type { LinkProxyServer } from './server.js';
export type * from './types.js';
