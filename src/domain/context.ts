/** The input of every domain fact. */
import type { Graph } from '../model/graph.js';
import type { Profile } from '../profiles/types.js';

/** What the domain facts are computed from: the input's object graph and the cluster profile. */
export interface DomainContext {
  readonly graph: Graph;
  readonly profile: Profile;
}
