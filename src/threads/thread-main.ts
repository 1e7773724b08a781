/**
 * The worker side of a ThreadPool: answers each request message with one reply carrying the same
 * id, `{ id, value }` or `{ id, error }`, transferring buffers instead of copying them.
 */
export interface ThreadReply<T> {
  id: number;
  value?: T;
  error?: string;
}

export function serveThread<Req, Res>(
  handle: (request: Req) => Promise<{ value: Res; transfer?: Bun.Transferable[] }> | { value: Res; transfer?: Bun.Transferable[] },
): void {
  const port = globalThis as unknown as { onmessage: (event: MessageEvent) => void; postMessage(message: unknown, transfer?: Bun.Transferable[]): void };
  port.onmessage = async (event: MessageEvent<{ id: number; request: Req }>) => {
    const { id, request } = event.data;
    try {
      const { value, transfer } = await handle(request);
      port.postMessage({ id, value } satisfies ThreadReply<Res>, transfer ?? []);
    } catch (error) {
      port.postMessage({ id, error: String((error as Error)?.message ?? error) } satisfies ThreadReply<Res>);
    }
  };
}
