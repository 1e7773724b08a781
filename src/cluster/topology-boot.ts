/**
 * The topology this process starts with. DATABASE_NODES / REDIS_NODES only bootstrap: when a
 * topology is stored in the cluster it wins, and an env that disagrees is reported in one line.
 * An empty cluster (migrated, nothing stored) gets the env's map as version 1.
 */
import { log } from "../log";
import { readStoredTopology, writeTopology } from "./topology-table";
import { describeDifference, sameMembers, topologyFromNodes, type Topology } from "./topology";

let started: Topology | null = null;

/** What `resolveBootTopology` found (null before it ran, and in embedded mode). */
export function bootTopology(): Topology | null {
  return started;
}

export async function resolveBootTopology(shards: ReadonlyArray<{ primary: string; replica: string }>, redis: readonly string[]): Promise<Topology> {
  const env = topologyFromNodes(shards, redis);
  const stored = await readStoredTopology(env.members.map((m) => m.primary));
  let topology: Topology;
  if (stored.topology) {
    topology = stored.topology;
    if (!sameMembers(env.members, topology.members)) log.warn(describeDifference(env.members, topology));
  } else {
    topology = env;
    if (stored.unreachable.length === 0) {
      const first = { ...env, version: 1, updatedAt: Date.now() };
      // Fails harmlessly before `ringlink migrate` (no table yet) or when another process won.
      await writeTopology(
        env.members.map((m) => m.primary),
        0,
        first,
      ).then(
        () => {
          topology = first;
        },
        () => {},
      );
    }
  }
  started = topology;
  return topology;
}
