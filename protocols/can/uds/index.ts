/** UDS (ISO 14229) / KWP2000 services over ISO-TP: the server a pack profile answers with, and a small client. */
export { UdsServer } from './uds-server';
export type { UdsHandler, UdsServerOptions, UdsServerStats } from './uds-server';
export { udsRequest, UdsNegativeResponseError } from './uds-client';
export type { UdsRequestOptions } from './uds-client';
export { NRC, SID, NEGATIVE_RESPONSE, negative, positive } from './nrc';
