/** Loaded by sweep workers (runSweep's modules): registers the notebook workloads. */
import { registerNotebookWorkloads } from './workloads';

registerNotebookWorkloads();
