// What every protocol's SECC state machine is given by the runner.
import type { TrustStore } from '../../pki/verdict/trustStore.js';
import type { EvseModel } from './evseModel.js';
import type { SeccDecisionPort } from './seccDecisionPort.js';
import type { SessionTrace } from './sessionTrace.js';

export interface SeccSessionOptions {
  readonly port: SeccDecisionPort;
  readonly evse: EvseModel;
  /** MO and V2G roots the contract chain is judged against. */
  readonly contractTrust: TrustStore;
  /** The connection is TLS: PnC may be offered. */
  readonly secure: boolean;
  /** Wall clock for certificate validity and time stamps (timers use performance.now()). */
  readonly clock: () => number;
  readonly trace: SessionTrace;
  /** The SECC gives up waiting for a contract decision after this (EVerest: 55 s, under the EV's 60 s Ongoing limit). */
  readonly authorizationBudgetMs?: number;
  /** How long one request waits for the decision port before answering Ongoing (default 1.5 s, under the EV's 2 s). */
  readonly decisionWaitMs?: number;
}
