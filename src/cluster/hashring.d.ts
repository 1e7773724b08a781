/** Types for the `hashring` package (3.x ships none); only the surface ShardRing uses. */
declare module "hashring" {
  type ServerSpec = string | string[] | Record<string, number | { weight?: number; vnodes?: number }>;
  interface HashRingOptions {
    "vnode count"?: number;
    "max cache size"?: number;
    replicas?: number;
    compatibility?: "ketama" | "hash_ring";
  }
  class HashRing {
    constructor(servers: ServerSpec, algorithm?: string | ((key: string) => Buffer), options?: HashRingOptions);
    get(key: string): string | undefined;
    range(key: string, size?: number, unique?: boolean): string[];
  }
  export = HashRing;
}
