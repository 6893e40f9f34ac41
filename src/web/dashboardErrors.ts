// Typed errors of the dashboard. A ScenarioLauncher rejects with DashboardBusyError while a run is under way (the
// server answers 409); the server fails to start with DashboardStartError (missing page files, bad options).

export class DashboardBusyError extends Error {
  override readonly name = 'DashboardBusyError';
}

export class DashboardStartError extends Error {
  override readonly name = 'DashboardStartError';
}
