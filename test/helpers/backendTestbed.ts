// The end-to-end tests run on the same loopback system as `pnc demo` (src/demo/loopbackSystem.ts), under the names
// they were written with.
export {
  CPO_PARTY,
  describeEvents,
  LOOPBACK_STATION_ID as BACKEND_STATION_ID,
  MSP_PARTY,
  startLoopbackSystem as startBackendTestbed,
  type LoopbackSystem as BackendTestbed,
  type SessionRun,
  type TimedEvent,
} from '../../src/demo/loopbackSystem.js';
