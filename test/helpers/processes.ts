import { startSignaling, type SignalingProcess } from './signaling.js';

// bin/client as the lossy path (scripts/lossy-path.ts) and the tests run it.
export { runClient, type ClientRun } from '../../scripts/client-process.js';

/** The service for client tests: the same process helper the service's own tests use. */
export type Service = SignalingProcess;
export const startService = async (
  args: string[] = [],
  options: { netns?: string; host?: string } = {},
): Promise<Service> => await startSignaling(args, process.env, options);
