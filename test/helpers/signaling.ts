// The tests start bin/signaling as the demo and the benchmarks do.
export { repoRoot } from '../../scripts/repo.js';
export {
  binEnv,
  inNetns,
  signalingBin,
  startSignaling,
  type SignalingProcess,
} from '../../scripts/signaling-process.js';
