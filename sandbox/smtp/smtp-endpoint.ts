import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerError, type SMTPServerSession } from 'smtp-server';
import type { InFlightOnStop } from './faults.js';
import { listen, listenAgain } from './listen.js';

export interface SmtpEndpointOptions {
  port: number;
  host: string;
  /** An error refuses the recipient with its responseCode. */
  checkRecipient(address: string): SMTPServerError | undefined;
  /** A client began a transaction (MAIL FROM, always accepted). */
  onMailFrom?(address: string): void;
  /** Resolves with the text of the 250 reply; a rejection answers 451. */
  onMessage(raw: Buffer, session: SMTPServerSession): Promise<string>;
}

export interface SmtpEndpoint {
  port: number;
  /**
   * Closes the listening socket and drops the open connections. 'drop': all at once, as a crashed
   * server would. 'answer': idle ones at once, one in the middle of DATA right after it has answered
   * that message, so no client loses the answer to a message the catcher stored.
   */
  stop(inFlight: InFlightOnStop): Promise<void>;
  /** Listens on the same port again. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server that accepts anything: no TLS, AUTH accepted with any credentials but never required. */
export async function startSmtpEndpoint(options: SmtpEndpointOptions): Promise<SmtpEndpoint> {
  const sockets = new Set<Socket>();
  // Connections in the middle of DATA, by the client's port: dropped once the message is answered.
  const inData = new Map<number, { drop: boolean }>();
  let stopping = false;
  const socketOn = (port: number | undefined) => [...sockets].find((s) => s.remotePort === port);
  const smtp = new SMTPServer({
    logger: false,
    banner: 'Rapport SMTP catcher',
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    // A reverse DNS lookup per connection costs ~100 ms here and tells a local catcher nothing.
    disableReverseLookup: true,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'catcher' }),
    onMailFrom: (address, _session, callback) => {
      options.onMailFrom?.(address.address);
      callback();
    },
    onRcptTo: (address, _session, callback) => callback(options.checkRecipient(address.address) ?? null),
    onData: (stream, session, callback) => {
      const port = session.remotePort;
      const state = { drop: stopping };
      inData.set(port, state);
      const answer = (error: Error | null, reply?: string) => {
        inData.delete(port);
        callback(error, reply);
        // end() flushes the answer before the connection goes.
        if (state.drop) setImmediate(() => socketOn(port)?.end());
      };
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.once('end', () => {
        const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
        options.onMessage(raw, session).then(
          (reply) => answer(null, reply),
          (error: Error) => answer(Object.assign(error, { responseCode: 451 })),
        );
      });
    },
  });
  // Client sockets dying mid-session surface here; a catcher shrugs them off.
  smtp.on('error', () => undefined);
  smtp.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listen(smtp.server, options.port, options.host);

  return {
    port,
    async stop(inFlight) {
      stopping = inFlight === 'answer';
      smtp.server.close();
      for (const socket of sockets) {
        const busy = socket.remotePort === undefined ? undefined : inData.get(socket.remotePort);
        if (busy && stopping) busy.drop = true;
        else socket.destroy();
      }
      // The listening handle is released on the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    },
    resume: async () => {
      await listenAgain(smtp.server, port, options.host);
      stopping = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        smtp.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
