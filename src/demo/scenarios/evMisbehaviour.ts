// An EV that misbehaves: a replayed AuthorizationReq (its challenge is not this session's) and a tampered signature.
// The charger refuses both before asking the CSMS anything.
import type { Scenario } from '../scenario.js';
import { authorizeSummary, evOutcome } from '../sessionFacts.js';
import { ensureDefaultAccount } from './demoTokens.js';

export const EV_MISBEHAVIOUR: readonly Scenario[] = [
  {
    name: 'replayed-challenge',
    description: 'the EV replays the signed AuthorizationReq of an earlier session: its GenChallenge is not this session’s [V2G2-475]',
    expected: 'FAILED_ChallengeInvalid · no Authorize',
    async run(system) {
      await ensureDefaultAccount(system);
      const first = await system.session({});
      const signed = first.result.signedAuthorization;
      const replay = await system.session(signed ? { misbehave: { replay: signed } } : {});
      return [evOutcome(replay), authorizeSummary(system, replay.from)].join(' · ');
    },
  },
  {
    name: 'tampered-signature',
    description: 'the AuthorizationReq signature does not verify with the contract certificate’s key',
    expected: 'FAILED_SignatureError · no Authorize',
    async run(system) {
      await ensureDefaultAccount(system);
      const run = await system.session({ misbehave: { corruptSignature: true } });
      return [evOutcome(run), authorizeSummary(system, run.from)].join(' · ');
    },
  },
];
