/** What each start-up step leaves to undo, undone in reverse order on stop or on a failed start. */
export class Cleanups {
  private readonly steps: (() => Promise<unknown>)[] = [];

  constructor(private readonly warn: (message: string) => void) {}

  defer(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step().catch((e: Error) => this.warn(e.message));
  }
}
