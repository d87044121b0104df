import type { SMTPServerError } from 'smtp-server';
import { normalizeAddress } from './caught-message.js';

export type RejectionKind = 'permanent' | 'temporary';
export type InFlightOnStop = 'drop' | 'answer';

/** Switches tests flip to make the catcher misbehave like a real mail server. */
export interface FaultSwitches {
  /**
   * Closes the listening socket and drops open connections for `ms`, then listens again on
   * the same port: clients see ECONNREFUSED, as with a server that is down. Resolves once refusing.
   * `inFlight: 'drop'` (default) cuts a message in DATA as a crash would, even after the catcher
   * stored it (the client cannot know); `'answer'` lets it have its answer first, as a server
   * taken down in order would.
   */
  refuseConnections(ms: number, options?: { inFlight?: InFlightOnStop }): Promise<void>;
  /** Resolves when the catcher accepts connections (at once unless refusing). */
  accepting(): Promise<void>;
  readonly refusing: boolean;
  /**
   * RCPT TO of a matching address gets 550 (permanent: a hard bounce) or 451 (temporary).
   * A string matches the whole address, case-insensitive; a RegExp is tested against it.
   */
  rejectRecipients(pattern: RegExp | string, kind?: RejectionKind): void;
  /**
   * Delay before answering the end of every message's DATA: a fixed number of ms, or a range each
   * message draws from evenly (a relay that answers after 50-250 ms: `{ minMs: 50, maxMs: 250 }`).
   */
  setLatency(ms: number | { minMs: number; maxMs: number }): void;
  /** Back to a well-behaved server (ends a refusal window early). */
  reset(): void;
}

interface Rule {
  matches(address: string): boolean;
  kind: RejectionKind;
}

export interface ListenerControl {
  stop(inFlight: InFlightOnStop): Promise<void>;
  resume(): Promise<void>;
}

interface Refusal {
  timer?: NodeJS.Timeout;
  ending: boolean;
  done: Promise<void>;
  release: () => void;
}

export class Faults implements FaultSwitches {
  private rules: Rule[] = [];
  private latencyMs = { min: 0, max: 0 };
  private refusal?: Refusal;

  constructor(private readonly listener: ListenerControl) {}

  get refusing(): boolean {
    return this.refusal !== undefined;
  }

  /** This message's delay, in ms. */
  get latency(): number {
    const { min, max } = this.latencyMs;
    return max > min ? min + Math.random() * (max - min) : min;
  }

  async refuseConnections(ms: number, options: { inFlight?: InFlightOnStop } = {}): Promise<void> {
    const running = this.refusal;
    if (running) {
      // Extend the running window instead of stacking a second one.
      clearTimeout(running.timer);
      running.timer = setTimeout(() => void this.endRefusal(), ms);
      return;
    }
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const refusal: Refusal = { ending: false, done, release };
    this.refusal = refusal;
    await this.listener.stop(options.inFlight ?? 'drop');
    // The window starts once the socket is closed, so a short window still refuses for its full length.
    if (!refusal.ending) refusal.timer = setTimeout(() => void this.endRefusal(), ms);
  }

  accepting(): Promise<void> {
    return this.refusal?.done ?? Promise.resolve();
  }

  rejectRecipients(pattern: RegExp | string, kind: RejectionKind = 'permanent'): void {
    if (typeof pattern === 'string') {
      const wanted = normalizeAddress(pattern);
      this.rules.push({ kind, matches: (address) => address === wanted });
    } else {
      // A /g or /y RegExp keeps state between test() calls; a fresh stateless copy does not.
      const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
      this.rules.push({ kind, matches: (address) => regexp.test(address) });
    }
  }

  setLatency(ms: number | { minMs: number; maxMs: number }): void {
    const min = Math.max(0, typeof ms === 'number' ? ms : ms.minMs);
    this.latencyMs = { min, max: Math.max(min, typeof ms === 'number' ? ms : ms.maxMs) };
  }

  reset(): void {
    this.rules = [];
    this.latencyMs = { min: 0, max: 0 };
    void this.endRefusal();
  }

  /** The error RCPT TO should answer with, if a rule matches. */
  recipientError(address: string): SMTPServerError | undefined {
    const normalized = normalizeAddress(address);
    const rule = this.rules.find((r) => r.matches(normalized));
    if (!rule) return undefined;
    const error: SMTPServerError =
      rule.kind === 'permanent'
        ? new Error(`5.1.1 <${normalized}>: recipient rejected (catcher fault: hard bounce)`)
        : new Error(`4.2.1 <${normalized}>: mailbox temporarily unavailable (catcher fault)`);
    error.responseCode = rule.kind === 'permanent' ? 550 : 451;
    return error;
  }

  /** Stops the refusal timer without listening again (the catcher is closing). */
  dispose(): void {
    const refusal = this.refusal;
    if (!refusal) return;
    refusal.ending = true;
    clearTimeout(refusal.timer);
    this.refusal = undefined;
    refusal.release();
  }

  private async endRefusal(): Promise<void> {
    const refusal = this.refusal;
    if (!refusal || refusal.ending) return;
    refusal.ending = true;
    clearTimeout(refusal.timer);
    try {
      await this.listener.resume();
    } catch (error) {
      console.error('smtp catcher could not listen again after a refusal window', error);
    } finally {
      this.refusal = undefined;
      refusal.release();
    }
  }
}
