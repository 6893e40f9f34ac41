// The energy register of a test-bench EVSE: it counts up at a fixed power while energy flows. A real charger reads its
// meter here instead.
export class SimulatedMeter {
  private registerWh = 0;
  private flowingSince: number | undefined;

  constructor(
    private readonly powerW: number,
    private readonly clock: () => number,
  ) {}

  start(): void {
    this.flowingSince ??= this.clock();
  }

  stop(): void {
    this.registerWh = this.readWh();
    this.flowingSince = undefined;
  }

  /** Energy.Active.Import.Register, whole Wh. */
  readWh(): number {
    const flowing = this.flowingSince === undefined ? 0 : ((this.clock() - this.flowingSince) * this.powerW) / 3_600_000;
    return Math.floor(this.registerWh + flowing);
  }
}
