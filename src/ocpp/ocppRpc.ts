// ocpp-rpc is a CommonJS package: Node's ESM loader cannot see its named exports (vitest's interop can, which hides
// the problem in tests). Everything of ours takes its classes from here.
import ocppRpc from 'ocpp-rpc';

export const { RPCClient, RPCServer, RPCError, TimeoutError, RPCGenericError, createRPCError } = ocppRpc;
export type RPCClient = InstanceType<typeof ocppRpc.RPCClient>;
export type RPCServer = InstanceType<typeof ocppRpc.RPCServer>;
export type RPCError = InstanceType<typeof ocppRpc.RPCError>;
