import type { StandIn } from '../../stand-in/server';
import type { SuiteContext } from '../harness';
import type { Cluster } from './cluster';
import type { Postgres, Redis } from './services';
import type { QueueWorkflows } from './workflows';

/** What the queue checks share: the running cluster, its database, and the figures they measure. */
export interface QueueRun {
	ctx: SuiteContext;
	cluster: Cluster;
	pg: Postgres;
	redis: Redis;
	standIn: StandIn;
	workflows: QueueWorkflows;
	/** Measured numbers, printed as they come and again together at the end. */
	figure(line: string): void;
}
