// The EV's misbehaviour switches by name, as `pnc ev --misbehave` and the demo use them.
import { randomBytes } from 'node:crypto';
import { encodeV2gtp, PAYLOAD_TYPE } from '../iso15118/transport/index.js';
import type { EvMisbehaviour } from './evSession.js';

export const MISBEHAVIOURS = ['replay-challenge', 'corrupt-signature', 'tamper-signed-element', 'out-of-order', 'forge-session-id', 'garbage-exi', 'bad-v2gtp-header', 'oversize-payload'] as const;
export type MisbehaviourName = (typeof MISBEHAVIOURS)[number];

/** Raw bytes replace the request after SessionSetup (the third message the EV sends). */
const AFTER_SETUP = 2;

/** The switch for a name; `replay-challenge` needs the signed request of an earlier session (`replay`). */
export function misbehaviour(name: MisbehaviourName, replay?: EvMisbehaviour['replay']): EvMisbehaviour {
  switch (name) {
    case 'replay-challenge':
      return replay ? { replay } : {};
    case 'corrupt-signature':
      return { corruptSignature: true };
    case 'tamper-signed-element':
      return { tamperSignedElement: true };
    case 'out-of-order':
      return { skipToChargeParameters: true };
    case 'forge-session-id':
      return { forgeSessionId: true };
    case 'garbage-exi':
      return { rawAt: { afterMessages: AFTER_SETUP, bytes: encodeV2gtp(PAYLOAD_TYPE.exi, randomBytes(32)) } };
    case 'bad-v2gtp-header':
      return { rawAt: { afterMessages: AFTER_SETUP, bytes: Buffer.from('02fd8001000000020000', 'hex') } };
    case 'oversize-payload':
      return { rawAt: { afterMessages: AFTER_SETUP, bytes: Buffer.from('01fe8001ffffffff', 'hex') } };
  }
}
