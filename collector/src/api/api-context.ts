import type { AutoMesh } from '../mesh/auto-mesh.js';
import type { HttpMesh } from '../mesh/http-mesh.js';
import type { MeshMetrics } from './mesh-metrics.js';
import type { ServerIdentity } from './peers-json.js';

/** What the API's route plugins work on: the mesh, its metrics and the collector's controls. */
export interface ApiContext {
  mesh: HttpMesh;
  metrics: MeshMetrics;
  server: ServerIdentity;
  /** PINGSPHERE_TOKEN, or null when mutating endpoints are open (loopback default). */
  token: string | null;
  autoMesh: AutoMesh | null;
  /** Starts the collector's clean shutdown (after the reply is sent). */
  requestQuit: (reason: string) => void;
  log: (line: string) => void;
}
