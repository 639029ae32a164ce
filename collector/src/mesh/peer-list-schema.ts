// The JSON schema a remote /v1/peers reply must meet before discovery reads it (bounded sizes, a
// URL per peer). Compiled ahead of time (generated/peer-list-validator.ts, from
// collector/src/api/validator-codegen.ts) with these Ajv options, so no Ajv loads at run time.
import { maxEndpointUrlLength } from '../http/endpoint.js';

/** Ajv's options for this schema: its defaults (no coercion, no defaults, first error only). */
export const peerListAjvOptions = { allErrors: false } as const;

export const peerListSchema = {
  type: 'object',
  required: ['Peers'],
  properties: {
    SrvLoc: { type: 'string', maxLength: 256 },
    Peers: {
      type: ['array', 'null'],
      maxItems: 20000,
      items: {
        type: 'object',
        required: ['Url'],
        properties: {
          Url: { type: 'string', minLength: 1, maxLength: maxEndpointUrlLength },
          PeerIP: { type: 'string', maxLength: 64 },
          Location: { type: 'string', maxLength: 256 },
        },
      },
    },
  },
} as const;
