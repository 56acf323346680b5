/** ServerConfig.cluster: how this node joins its cluster. */
export interface ClusterConfig {
  readonly natsUrl: string;
  /** This node's name, unique in the cluster: letters, digits, '_' and '-'. */
  readonly nodeId: string;
  /** The first token of every NATS subject the cluster uses, so clusters can share one NATS. */
  readonly subjectPrefix?: string;
}

export const DEFAULT_SUBJECT_PREFIX = 'magpie';
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Why a node id or subject prefix cannot be used, or undefined when it can. */
export function clusterNameProblem(what: string, name: string): string | undefined {
  return NAME_PATTERN.test(name) ? undefined : `${what} "${name}" must be 1-64 letters, digits, '_' or '-'`;
}
