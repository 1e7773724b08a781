/** host:port of a node URL, for logs and health output: credentials never leave config. */
export function addressOf(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}`;
  } catch {
    return "(invalid address)";
  }
}
