import type { AutoMesh } from '../mesh/auto-mesh.js';
import type { HttpMesh } from '../mesh/http-mesh.js';
import type { MeshMetrics } from './mesh-metrics.js';
import type { ServerIdentity } from './peers-json.js';
import type { TargetsApi } from './target-routes.js';
import type { TraceApi } from './trace-routes.js';

/** What the API's route plugins work on: the mesh, its metrics and the collector's controls. */
export interface ApiContext {
  mesh: HttpMesh;
  metrics: MeshMetrics;
  server: ServerIdentity;
  /** PINGSPHERE_TOKEN, or null when mutating endpoints are open (loopback default). */
  token: string | null;
  autoMesh: AutoMesh | null;
  /** The ICMP target inventory behind /v1/targets, or null when this collector sweeps none. */
  targets?: TargetsApi | null;
  /** The trace scheduler behind /v1/trace, or null when tracing is off. */
  tracing?: TraceApi | null;
  /** --max-peers: no /v1/addpeer addition (one peer or an imported list) beyond this many peers. */
  maxPeers?: number;
  /** Starts the collector's clean shutdown (after the reply is sent). */
  requestQuit: (reason: string) => void;
  log: (line: string) => void;
}
