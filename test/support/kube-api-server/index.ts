export { KubeApiTestServer, type KubeApiTestServerOptions } from './kube-api-test.server.js';
export type { FaultOptions } from './fault-injector.js';
export type { Scenario, ScenarioScript } from './scenario.js';
export type { RecordedCall, KubeVerb } from './call-recorder.js';
export type { KubeObject, StoredObject, ObjectMeta, OwnerReference } from './kube-object.js';
export type { KindName } from './resource-catalog.js';
export type { KubeStatus, StatusCause } from './kube-status.js';
