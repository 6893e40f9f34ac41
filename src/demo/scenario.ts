// One entry of the scenario catalogue: what it shows, the outcome it must end in, and how to run it on the loopback
// system. The outcome is composed from what the parties did (the EV's result, the CSMS's answers, the ledger, the MSP),
// never written down in advance: `expected` is the only fixed string.
import type { ScenarioInfo } from './scenarioResult.js';
import type { LoopbackSystem, LoopbackSystemOptions } from './loopbackSystem.js';

export interface Scenario extends ScenarioInfo {
  /**
   * 'own': the scenario changes what the others rely on (it revokes a CPO Sub-CA), so it runs on a fresh loopback
   * system of its own, started with `systemOptions`.
   */
  readonly isolation?: 'shared' | 'own';
  readonly systemOptions?: Omit<LoopbackSystemOptions, 'passphrase' | 'onEvent' | 'pkiDir'>;
  run(system: LoopbackSystem): Promise<string>;
}

export class ScenarioFailure extends Error {
  override readonly name = 'ScenarioFailure';
}
