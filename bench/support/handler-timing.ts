/**
 * Times a fetch-style handler from the request reaching it to its Response, without the network,
 * the HTTP parser or the event loop's queue in front of it (our code vs the machine), and notes
 * when each request arrived: a burst the server reads over a long stretch is queued before it.
 */
export function timeHandler(target: { handle(request: Request): Promise<Response> }) {
  const handled: number[] = [];
  const arrivals: number[] = [];
  const handle = target.handle.bind(target);
  target.handle = async (request) => {
    const started = performance.now();
    arrivals.push(started);
    const response = await handle(request);
    handled.push(performance.now() - started);
    return response;
  };
  return { handled, arrivals };
}
