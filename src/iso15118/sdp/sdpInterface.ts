// The network interface SDP multicast runs on (the PLC modem's interface on a real charger or EV).
//
// What Node needs: for IPv6, dgram's addMembership(group, iface) and setMulticastInterface(iface) take an *address
// string whose zone names the interface*: `::%eth0` (or the interface's link-local address, `fe80::…%eth0`, or a
// numeric index `::%4`). libuv only uses the zone, turned into an interface index. An unknown name is NOT an error:
// it resolves to index 0, and the kernel silently picks an interface from the routing table (verified on Linux with
// Node 20: addMembership('ff02::1', '::%nope') succeeds). So the name is checked here against os.networkInterfaces().
import { networkInterfaces } from 'node:os';
import { SdpError } from './sdpError.js';

/** The link-local all-nodes group the SDP server joins and the EV sends to (notes §6: FF02::1). */
export const SDP_MULTICAST_GROUP = 'ff02::1';
/** UDP port of the SDP server (notes §6). */
export const SDP_SERVER_PORT = 15118;

/** `::%name` for addMembership / setMulticastInterface, after checking that the interface exists and has IPv6. */
export function multicastInterfaceAddress(name: string): string {
  const interfaces = networkInterfaces();
  const addresses = interfaces[name];
  if (addresses === undefined) {
    const known = Object.keys(interfaces).join(', ') || 'none';
    throw new SdpError('interface', `unknown network interface ${JSON.stringify(name)} (known: ${known})`);
  }
  if (!addresses.some((a) => a.family === 'IPv6')) {
    throw new SdpError('interface', `network interface ${JSON.stringify(name)} has no IPv6 address`);
  }
  return `::%${name}`;
}

/** The interface's IPv6 link-local address (what the SECC announces in its SDP response on that link). */
export function linkLocalAddress(name: string): string {
  multicastInterfaceAddress(name);
  const address = networkInterfaces()[name]!.find((a) => a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80'));
  if (!address) throw new SdpError('interface', `network interface ${JSON.stringify(name)} has no IPv6 link-local address`);
  return address.address;
}
