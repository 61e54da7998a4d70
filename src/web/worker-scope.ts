// The little of a dedicated worker's global scope the workers use, typed here so that the page's
// DOM typings serve for them too.

export interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

export const workerScope = globalThis as unknown as WorkerScope;
