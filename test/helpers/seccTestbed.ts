// SECC servers for session tests: each started with the file's defaults plus overrides, every trace event recorded,
// all closed together.
import type { ContractCredential } from '../../src/ev/iso2Evcc.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import { startSeccServer, type SeccServer, type SeccServerOptions } from '../../src/iso15118/session/seccServer.js';
import { standaloneDecisionPort, type StandalonePortOptions } from '../../src/iso15118/session/standaloneDecisionPort.js';
import type { Suite } from '../../src/pki/generator/testPki.js';
import type { TraceEvent } from '../../src/trace/traceEvent.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { cert, contractOf, NOW } from './fixtures.js';

export interface SeccTestbed {
  readonly events: (TraceEvent & { time: number })[];
  readonly secc: (overrides?: Partial<SeccServerOptions>, port?: StandalonePortOptions) => Promise<SeccServer>;
  readonly closeAll: () => Promise<void>;
}

export function seccTestbed(defaults: Pick<SeccServerOptions, 'credentials' | 'contractTrust'> & Partial<SeccServerOptions>): SeccTestbed {
  const events: (TraceEvent & { time: number })[] = [];
  const servers: SeccServer[] = [];
  return {
    events,
    secc: async (overrides = {}, port = {}) => {
      const s = await startSeccServer({
        host: '127.0.0.1',
        allowPlain: true,
        decisionPort: standaloneDecisionPort(port),
        evse: testEvse(),
        tracer: silentTracer('charger', [(e) => events.push(e)]),
        clock: () => NOW,
        ...defaults,
        ...overrides,
      });
      servers.push(s);
      return s;
    },
    closeAll: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}

/** The fixture contract of a suite as the EV holds it: leaf + MO Sub-CA 2 + Sub-CA 1, its key and eMAID. */
export function contractCredential(suite: Suite): ContractCredential {
  const c = contractOf(suite);
  return { chain: [c.der, cert(`${suite}/mo-sub2`).der, cert(`${suite}/mo-sub1`).der], key: c.key.privateKey, emaid: c.cert.subject.commonName! };
}

/** The SECC's outcome of its most recent session, once more than `count` are recorded. */
export async function lastOutcome(server: SeccServer, count: number): Promise<SeccServer['outcomes'][number]> {
  for (let i = 0; i < 200 && server.outcomes.length <= count; i++) await new Promise((r) => setTimeout(r, 10));
  return server.outcomes[server.outcomes.length - 1]!;
}
