// Rows of the CSMS's station registry (scope "csms-stations") as Kysely sees them. Times are ISO 8601 strings (UTC,
// Date#toISOString, so they compare as text); booleans do not occur; nullable columns are the optional facts.
export interface StationTables {
  csms_stations: {
    /** The OCPP identity (Basic-auth user, certificate CN, last URL path segment). */
    id: string;
    /** `sha256$<salt hex>$<digest hex>`: see stationPassword.ts. */
    password_hash: string;
    /** 1, 2 or 3: connections made at a lower security profile are refused. */
    min_security_profile: number;
    created_at: string;
    /** From the latest BootNotification. */
    vendor: string | null;
    model: string | null;
    serial_number: string | null;
    firmware_version: string | null;
    boot_reason: string | null;
    booted_at: string | null;
    last_seen: string | null;
    /** The CSMS node holding the station's WebSocket, and which connection of it (so a late disconnect of an old
     *  connection cannot clear a newer one, on this node or another). */
    connected_node: string | null;
    connection_id: string | null;
    connected_at: string | null;
  };
  csms_station_connectors: {
    station_id: string;
    evse_id: number;
    connector_id: number;
    status: string;
    /** The station's timestamp of the status (newer wins). */
    reported_at: string;
    received_at: string;
  };
}
